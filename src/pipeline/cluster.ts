/**
 * The course's Slurm cluster on the local target: a head container `<id>-head` (munged,
 * slurmctld; Snakemake runs there) and worker containers `<id>-worker<k>` (munged, slurmd), all
 * of the pipeline image, on the services network. Lift-and-shift runs share a volume at /data;
 * cloud-native runs share nothing but the course's Swift (the S3 API Snakemake speaks): the
 * nodes run the image without the reference, which each fetches from Swift (the ready stage). The configuration is rendered here (slurm-conf.ts) and copied in before
 * each container starts; a change of the node list recreates the cluster's containers, as a
 * Slurm admin restarts the daemons after adding nodes. Workers beyond the run's count are stopped:
 * the partition is exactly the run's workers.
 */
import type Docker from 'dockerode';
import { LABELS, type Course, type PipelineStorage } from '../course/model.js';
import { resourceName } from '../course/naming.js';
import { dockerCall } from '../local/docker.js';
import type { Progress } from '../local/progress.js';
import { TargetError } from '../targets/driver.js';
import { ensurePipelineImage, pipelineImageTag } from './images.js';
import { ensureContainer, ensureNetwork, ensureSwift, ensureVolume, swiftBucket, SWIFT_USER, workerCores, workerCpusets, workerName, type PipelineBucket, type Worker } from './infra.js';
import { mungeKey } from './munge-key.js';
import { renderSlurmConf, type SlurmCluster } from './slurm-conf.js';

export const headName = (course: Pick<Course, 'id'>) => resourceName(course, 'head');
/** Where the workflow's runs live on the shared volume: `/data/<run>` on the head and every node. */
export const DATA_DIR = '/data';

export interface LocalCluster {
  head: string;
  workers: Worker[];
  image: string;
  storage: PipelineStorage;
  /** Create-to-running seconds of the containers created by this call. */
  startSeconds: number[];
  conf: string;
  /** Object storage runs: the course's Swift and its bucket, and the environments that reach it
   *  (keys: given to each command, never to a container). */
  swift?: PipelineBucket;
  objectEnv?: ObjectEnv;
}

export interface ObjectEnv {
  /** Snakemake's S3 remote files, through Swift's s3api with the tempauth user. */
  s3: Record<string, string>;
  /** `resops-pipeline ready`: the reference object, through Swift's own API. */
  swift: Record<string, string>;
}

/**
 * The cluster a run of `count` workers gets on the local target. A worker container is pinned to
 * one core while there are cores to give (workerCpusets): Slurm is told it has one CPU. Memory is
 * the course's worker flavor's, as a VM of that flavor would report.
 */
export function localSlurmCluster(course: Course, count: number): SlurmCluster {
  return {
    name: course.id.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40),
    controller: { name: headName(course), address: headName(course) },
    nodes: Array.from({ length: count }, (_, i) => ({
      name: `worker${i + 1}`,
      address: workerName(course, i + 1),
      cpus: 1,
      memoryMb: course.cloud.flavors.worker.ramMb,
    })),
  };
}

export async function ensureLocalCluster(docker: Docker, course: Course, count: number, storage: PipelineStorage, progress: Progress): Promise<LocalCluster> {
  if (!Number.isInteger(count) || count < 1) throw new TargetError(`--workers ${count}: expected a whole number ≥ 1`);
  const network = await ensureNetwork(docker, course);
  let binds: string[] = [];
  let swift: PipelineBucket | undefined;
  let objectEnv: ObjectEnv | undefined;
  if (storage === 'volume') {
    binds = [`${await ensureVolume(docker, course)}:${DATA_DIR}`];
  } else {
    const ensured = await ensureSwift(docker, course, progress);
    swift = ensured.swift;
    objectEnv = {
      s3: { RESOPS_S3_ENDPOINT: 'http://swift:8080', AWS_ACCESS_KEY_ID: SWIFT_USER, AWS_SECRET_ACCESS_KEY: ensured.key },
      swift: { RESOPS_STORAGE: 'object', SWIFT_AUTH_URL: 'http://swift:8080/auth/v1.0', SWIFT_USER, SWIFT_KEY: ensured.key, SWIFT_CONTAINER: swiftBucket(course) },
    };
  }
  const kind = storage === 'volume' ? 'pipeline' : 'pipeline-cloud';
  const imageId = await ensurePipelineImage(docker, kind, progress);
  const image = pipelineImageTag(kind);
  const conf = renderSlurmConf(localSlurmCluster(course, count));
  const files = [{ path: 'etc/slurm/slurm.conf', content: conf, mode: 0o644 }];
  const secretFiles = [{ path: 'etc/resops/munge.key', content: mungeKey(course), mode: 0o400 }];
  const base = { image, imageId, network, binds, files, secretFiles };

  const workers: Worker[] = Array.from({ length: count }, (_, i) => ({ id: `worker${i + 1}`, container: workerName(course, i + 1) }));
  const cpusets = workerCpusets(count, await workerCores(docker));
  const started = await Promise.all([
    ensureContainer(docker, course, { ...base, name: headName(course), role: 'worker', aliases: ['head'], env: {} }, progress),
    ...workers.map((w, i) =>
      ensureContainer(docker, course, { ...base, name: w.container, role: 'worker', aliases: [w.id], env: { RESOPS_SLURM_NODE: w.id } }, progress, cpusets[i]),
    ),
  ]);
  await stopWorkersBeyond(docker, course, count, progress);
  return {
    head: headName(course),
    workers,
    image,
    storage,
    startSeconds: started.filter((s): s is number => s !== undefined),
    conf,
    ...(swift ? { swift } : {}),
    ...(objectEnv ? { objectEnv } : {}),
  };
}

async function stopWorkersBeyond(docker: Docker, course: Course, count: number, progress: Progress): Promise<void> {
  const list = await dockerCall('listing containers', () => docker.listContainers({ filters: { label: [`${LABELS.course}=${course.id}`, `${LABELS.role}=worker`] } }));
  for (const info of list) {
    const name = (info.Names[0] ?? '').replace(/^\//, '');
    const k = /-worker(\d+)$/.exec(name)?.[1];
    if (k === undefined || Number(k) <= count) continue;
    await dockerCall(`stopping ${name}`, () => docker.getContainer(info.Id).stop({ t: 2 }));
    progress.step(`container ${name}: stopped (the cluster has ${count} worker${count === 1 ? '' : 's'} for this run)`);
  }
}
