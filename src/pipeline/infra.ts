/**
 * The Docker objects a pipeline run needs on the local target (docs/topology.md): the services
 * network `<id>-services`, worker containers `<id>-worker<k>` (role `worker`), and per storage
 * either the shared volume `<id>-pipeline-data` (mounted at /data in every worker: lift-and-shift)
 * or Swift in `<id>-swift` with the container `<id>-pipeline` (cloud-native). Everything carries
 * the course label, so `resops down` removes it. Created when absent, reused when present.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { LABELS, type Course } from '../course/model.js';
import { resourceName } from '../course/naming.js';
import { dockerCall, isNotFound, LOCAL_LABELS, statusCode } from '../local/docker.js';
import { servicesNetworkName } from '../local/layout.js';
import type { Progress } from '../local/progress.js';
import { networkCreateOptions } from '../local/reconcile.js';
import { packTar, unpackTar, type TarFile } from '../local/tar.js';
import { TargetError } from '../targets/driver.js';
import { ensurePipelineImage, pipelineImageTag } from './images.js';
import { ObjectStore } from '../object-store/client.js';
import { tempauthLogin, tempauthTransport } from '../object-store/tempauth.js';

export const workerName = (course: Pick<Course, 'id'>, k: number) => resourceName(course, `worker${k}`);
export const volumeName = (course: Pick<Course, 'id'>) => resourceName(course, 'pipeline-data');
export const swiftContainerName = (course: Pick<Course, 'id'>) => resourceName(course, 'swift');
/** The Swift container (bucket) of the course: the same name the openstack Pipeline stack creates. */
export const swiftBucket = (course: Pick<Course, 'id'>) => resourceName(course, 'pipeline');
export const SWIFT_USER = 'resops:pipeline';
/** Where the reference lives in object storage (the cloud-native image fetches it from there). */
export const REFERENCE_OBJECT = 'reference/lambda_virus.fa';
const REFERENCE_IN_IMAGE = '/ref/lambda_virus.fa';

export interface Worker {
  /** Short name used in metrics and progress: `worker1`. */
  id: string;
  container: string;
}

export interface PipelineBucket {
  store: ObjectStore;
  container: string;
}

export async function ensureNetwork(docker: Docker, course: Course): Promise<string> {
  const name = servicesNetworkName(course);
  const found = await dockerCall('listing networks', () => docker.listNetworks({ filters: { name: [name] } }));
  const exact = found.find((n) => n.Name === name);
  if (exact) return name;
  // The same options as `up` uses, so `up` later keeps this network instead of recreating it.
  const options = networkCreateOptions(course, { name, subnet: course.network.servicesSubnet, internal: false, role: 'monitoring' });
  await dockerCall(`creating network ${name}`, () => docker.createNetwork(options)).catch((error: unknown) => {
    if (statusCode(error) !== 409) throw error;
  });
  return name;
}

export async function ensureVolume(docker: Docker, course: Course): Promise<string> {
  const name = volumeName(course);
  await dockerCall(`creating volume ${name}`, () => docker.createVolume({ Name: name, Labels: { [LABELS.course]: course.id, [LABELS.role]: 'worker' } }));
  return name;
}

async function inspect(docker: Docker, name: string): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(name).inspect();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export interface ContainerWish {
  name: string;
  image: string;
  imageId: string;
  role: string;
  network: string;
  aliases: string[];
  env: Record<string, string>;
  binds: string[];
  ports?: Array<{ container: number; host: number }>;
  /** Files put into the container before it first starts (paths from `/`); part of the spec. */
  files?: TarFile[];
  /**
   * Files put in before the first start like `files`, but left out of the spec hash: secrets
   * (the munge key) must not reach a label, even hashed. They are stable for a course.
   */
  secretFiles?: TarFile[];
}

/**
 * Creates the container, or recreates it when what it was made from changed; starts it; gives it
 * `cpuset` (host cores) when one is asked for. Returns the seconds from create to running when it
 * was created now (the image's start-up), else undefined.
 */
export async function ensureContainer(docker: Docker, course: Course, wish: ContainerWish, progress: Progress, cpuset?: string): Promise<number | undefined> {
  const { secretFiles, ...hashed } = wish;
  const specHash = createHash('sha256').update(JSON.stringify(hashed)).digest('hex').slice(0, 32);
  const current = await inspect(docker, wish.name);
  if (current && current.Config.Labels?.[LOCAL_LABELS.specHash] === specHash) {
    // The cores change from run to run (`workerCpusets`), so they are not part of the spec:
    // changed in place, no restart.
    if (cpuset !== undefined && current.HostConfig.CpusetCpus !== cpuset) {
      await dockerCall(`pinning ${wish.name} to cores ${cpuset}`, () => docker.getContainer(wish.name).update({ CpusetCpus: cpuset }));
    }
    if (!current.State.Running) await dockerCall(`starting ${wish.name}`, () => docker.getContainer(wish.name).start());
    return undefined;
  }
  if (current) await dockerCall(`removing ${wish.name}`, () => docker.getContainer(wish.name).remove({ force: true }));
  const ports = wish.ports ?? [];
  const t0 = Date.now();
  const container = await dockerCall(`creating container ${wish.name}`, () =>
    docker.createContainer({
      name: wish.name,
      Image: wish.image,
      Hostname: wish.name,
      Env: Object.entries(wish.env).map(([k, v]) => `${k}=${v}`),
      Labels: { [LABELS.course]: course.id, [LABELS.role]: wish.role, [LOCAL_LABELS.specHash]: specHash },
      ExposedPorts: Object.fromEntries(ports.map((p) => [`${p.container}/tcp`, {}])),
      HostConfig: {
        Binds: wish.binds,
        NetworkMode: wish.network,
        // Workers must stay dead when killed: the queue moves their job elsewhere.
        RestartPolicy: { Name: 'no' },
        ...(cpuset !== undefined ? { CpusetCpus: cpuset } : {}),
        PortBindings: Object.fromEntries(ports.map((p) => [`${p.container}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(p.host) }]])),
      },
      NetworkingConfig: { EndpointsConfig: { [wish.network]: { Aliases: wish.aliases } } },
    }),
  );
  const files = [...(wish.files ?? []), ...(secretFiles ?? [])];
  if (files.length) await dockerCall(`copying files into ${wish.name}`, () => container.putArchive(packTar(files), { path: '/' }));
  await dockerCall(`starting ${wish.name}`, () => container.start());
  const seconds = (Date.now() - t0) / 1000;
  progress.step(`container ${wish.name}: ${current ? 'recreated' : 'created'} (running after ${seconds.toFixed(1)}s)`);
  return seconds;
}

/** Key of the course's Swift user: read back from the running container, or made up. */
async function swiftKey(docker: Docker, course: Course): Promise<string> {
  const current = await inspect(docker, swiftContainerName(course));
  const found = current?.Config.Env?.find((e) => e.startsWith('SWIFT_KEY='))?.slice('SWIFT_KEY='.length);
  return found || randomBytes(18).toString('hex');
}

/** Copies the reference out of the baked image into object storage once (the seed of the cloud-native variant). */
async function seedReference(docker: Docker, course: Course, swift: PipelineBucket, progress: Progress): Promise<void> {
  if (await swift.store.objectExists(swift.container, REFERENCE_OBJECT)) return;
  await ensurePipelineImage(docker, 'pipeline', progress);
  const holder = await docker.createContainer({ Image: pipelineImageTag('pipeline'), Cmd: ['true'], Labels: { [LABELS.course]: course.id, [LABELS.role]: 'worker' } });
  try {
    const archive = await holder.getArchive({ path: REFERENCE_IN_IMAGE });
    const chunks: Buffer[] = [];
    for await (const chunk of archive as AsyncIterable<Buffer>) chunks.push(chunk);
    const fasta = [...unpackTar(Buffer.concat(chunks)).values()][0];
    if (!fasta) throw new TargetError(`the reference ${REFERENCE_IN_IMAGE} is missing from ${pipelineImageTag('pipeline')}`);
    await swift.store.putObject(swift.container, REFERENCE_OBJECT, fasta);
    progress.step(`object storage: reference uploaded (${fasta.length} bytes) to ${swift.container}/${REFERENCE_OBJECT}`);
  } finally {
    await holder.remove({ force: true }).catch(() => undefined);
  }
}

/** Waits (bounded) until Swift hands out a token and makes the pipeline's container. */
async function waitForSwift(course: Course, key: string, timeoutMs = 90_000): Promise<PipelineBucket> {
  const until = Date.now() + timeoutMs;
  let last = '';
  // fetch's timeout timer does not hold the process open; a connection the proxy holds without
  // answering would let Node exit mid-wait (exit 13). This interval keeps it alive while waiting.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    return await pollSwift(course, key, until, () => last, (why) => (last = why));
  } finally {
    clearInterval(keepAlive);
  }
}

async function pollSwift(course: Course, key: string, until: number, last: () => string, setLast: (why: string) => void): Promise<PipelineBucket> {
  while (Date.now() < until) {
    try {
      const login = await tempauthLogin(`http://127.0.0.1:${course.local.ports.swift}/auth/v1.0`, SWIFT_USER, key);
      const bucket = { store: new ObjectStore(tempauthTransport(login)), container: swiftBucket(course) };
      // The proxy hands out tokens before the account and container servers answer (PUT gives
      // 503 meanwhile): ready means the run's container can be made.
      await bucket.store.createContainer(bucket.container);
      return bucket;
    } catch (error) {
      setLast(error instanceof Error ? error.message : String(error));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new TargetError(`Swift in ${swiftContainerName(course)} did not answer in time: ${last()}`, `see \`docker logs ${swiftContainerName(course)}\``);
}

export async function ensureSwift(docker: Docker, course: Course, progress: Progress): Promise<{ swift: PipelineBucket; key: string }> {
  const network = await ensureNetwork(docker, course);
  const imageId = await ensurePipelineImage(docker, 'swift', progress);
  const key = await swiftKey(docker, course);
  await ensureContainer(
    docker,
    course,
    { name: swiftContainerName(course), image: pipelineImageTag('swift'), imageId, role: 'storage', network, aliases: ['swift'], env: { SWIFT_KEY: key }, binds: [], ports: [{ container: 8080, host: course.local.ports.swift }] },
    progress,
  );
  const swift = await waitForSwift(course, key);
  await seedReference(docker, course, swift, progress);
  return { swift, key };
}

/**
 * Host cores the daemon can pin workers to; undefined when it cannot pin (no cpuset controller,
 * e.g. some rootless set-ups) or has one core.
 */
export async function workerCores(docker: Docker): Promise<number | undefined> {
  const info = (await dockerCall('reading the Docker daemon\'s info', () => docker.info())) as { NCPU?: number; CPUSet?: boolean };
  return info.CPUSet && typeof info.NCPU === 'number' && info.NCPU >= 2 ? info.NCPU : undefined;
}

/**
 * The cores each of a run's `count` workers may use (Docker cpusets). A worker stands in for a VM,
 * and scaling out means each added worker brings its own core: worker k gets core k−1 while
 * there are cores to give. Unpinned, one worker's job spread over every idle core (fastp's reader
 * and writer threads, the next tool starting), so one worker looked faster than one VM would and
 * a second had little left to add. Past the core count every worker may use every core, as an
 * oversubscribed hypervisor shares them: pinning round-robin instead left one core with two
 * workers and the other with one, and the slow core's last job held up each stage.
 * Undefined entries: leave the worker as it is (the daemon cannot pin).
 */
export function workerCpusets(count: number, cores: number | undefined): Array<string | undefined> {
  if (!cores) return Array.from({ length: count }, () => undefined);
  if (count <= cores) return Array.from({ length: count }, (_, i) => String(i));
  return Array.from({ length: count }, () => `0-${cores - 1}`);
}

/** Removes the pipeline's workers, Swift container and volume (what `down` removes by label too). */
export async function removePipelineInfra(docker: Docker, course: Course): Promise<string[]> {
  const removed: string[] = [];
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABELS.course}=${course.id}`] } });
  for (const info of containers) {
    const role = info.Labels?.[LABELS.role];
    if (role !== 'worker' && role !== 'storage') continue;
    await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
    removed.push(`container ${(info.Names[0] ?? '').replace(/^\//, '')}`);
  }
  const volume = volumeName(course);
  await docker
    .getVolume(volume)
    .remove()
    .then(() => removed.push(`volume ${volume}`))
    .catch(() => undefined);
  return removed;
}
