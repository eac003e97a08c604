import { randomBytes } from 'node:crypto';
import type { CloudConfig } from '../openstack/cloud-config.js';
import { OpenStackClient } from '../openstack/client.js';
import { AuthenticationError, CloudUnreachableError, OpenStackApiError } from '../openstack/errors.js';
import { inotifyInstanceLimit, inotifyInstancesInUse, inotifyNote } from './host-limits.js';
import { cloudEntry, cloudsYamlPath, KEYSTONE_URL, LOCAL_CLOUD, readClouds, REGION, storedPassword, writeClouds, type CloudEntry } from './clouds-yaml.js';
import {
  buildImage,
  CLOUD_CONTAINER,
  generatedAdminPassword,
  CloudContainerError,
  containerState,
  createCloudContainer,
  fatalCloudPrograms,
  docker,
  imageState,
  removeCloudContainer,
  removeCloudLeftovers,
  requireDocker,
  startCloudContainer,
  stopCloudContainer,
  stopServerContainers,
  type Progress,
  type ServersMode,
} from './container.js';
import { ensureDebianBase } from '../local/base-image.js';
import { ensureImages } from '../local/images.js';
import { stderrProgress } from '../local/progress.js';
import { releaseCloudLoopDevices } from './loop-devices.js';
import { AGENT_SERVICES, PROBE_NAME, seconds, sleep, waitForApis, waitForScheduling, waitForServices } from './ready.js';
import { pointInternalEndpoints } from './internal-endpoints.js';
import { externalCidr, placeholderImage, seedCloud, type SeedRequest, type SeedResult } from './seed.js';

/**
 * `cloud up` and `cloud down` as functions (the CLI command and the tests share them): build on
 * first use, start, wait until ready, secure the admin account, seed, write clouds.yaml.
 */

/** Set at image build (containers/openstack/bin/resops-cloud-setup); replaced on first `up`. */
const BUILD_ADMIN_PASSWORD = 'resops-admin';

export interface UpOptions {
  stateDir: string;
  /** Container name (tests use their own). */
  name?: string;
  rebuild?: boolean;
  seed: SeedRequest;
  /** Bound on start-to-ready (default 15 min: ≈1 min on an idle machine, 10 on a loaded two-core one). */
  timeoutMs?: number;
  /**
   * What servers are: `containers` (one container per server on the host's Docker) or `fake`.
   * Default: what the existing container was created with, else `fake`. A container cannot
   * change: asking for the other mode of an existing one is an error (`cloud down --purge` first).
   */
  servers?: ServersMode;
  progress: Progress;
}

export interface UpResult {
  container: string;
  /** Build time when the image was (re)built now. */
  buildMs?: number;
  /** created: new container; started: existing stopped one; running: was already up. */
  start: 'created' | 'started' | 'running';
  /** From `docker start` to every API answering. */
  apisMs: number;
  /** From `docker start` to a volume and a server scheduled (see waitForScheduling). */
  readyMs: number;
  /** How many probes it took: more than one after a restart whose volume service had not reported yet. */
  probeAttempts: number;
  cloudsYaml: string;
  clouds: string[];
  seed: SeedResult;
  /** The container runs an older image than containers/openstack describes. */
  outdated: boolean;
  servers: ServersMode;
}

export function adminConfig(password: string, source: string): CloudConfig {
  return {
    name: LOCAL_CLOUD,
    authUrl: KEYSTONE_URL,
    auth: { type: 'password', username: 'admin', password, projectName: 'admin', userDomainName: 'Default', projectDomainName: 'Default' },
    regionName: REGION,
    interface: 'public',
    source,
  };
}

export async function cloudUp(options: UpOptions): Promise<UpResult> {
  const name = options.name ?? CLOUD_CONTAINER;
  const progress = options.progress;
  const client = docker();
  await requireDocker(client);

  let state = await containerState(client, name);
  const image = await imageState(client);
  let buildMs: number | undefined;
  if (options.rebuild || !image.present || (!image.current && !state.exists)) {
    progress(
      image.present
        ? 'rebuilding resops/openstack (containers/openstack changed; cached layers make this quick unless packages changed)'
        : 'building resops/openstack from Debian 12 packages: about 10 minutes the first time',
    );
    // The Dockerfile starts FROM debian:bookworm-slim, which Docker Hub may not serve here.
    await ensureDebianBase(client, stderrProgress(progress));
    buildMs = await buildImage(client, progress);
    progress(`image built in ${Math.round(buildMs / 1000)} s`);
    state = await containerState(client, name);
  }

  const existingServers = state.exists ? (state.servers ?? 'fake') : undefined;
  if (options.servers && existingServers && options.servers !== existingServers) {
    throw new CloudContainerError(
      `${name} was created with --servers ${existingServers}; it cannot switch to --servers ${options.servers}`,
      `\`resops cloud down --purge\` (its data goes) then \`resops cloud up --servers ${options.servers}\`, or leave --servers out to resume it as it is`,
    );
  }
  const servers: ServersMode = options.servers ?? existingServers ?? 'fake';
  if (servers === 'containers') {
    // Nova's driver creates servers from resops/server (the image property of the seeded images).
    progress('servers are containers: making sure the server image resops/server is built');
    await ensureImages(client, stderrProgress(progress), ['server']);
    const note = inotifyNote(inotifyInstanceLimit(), inotifyInstancesInUse());
    if (note) progress(note);
  }

  const started = Date.now();
  let start: UpResult['start'];
  if (state.running) {
    start = 'running';
    progress(`container ${name} is running`);
  } else if (state.exists) {
    start = 'started';
    progress(`starting container ${name}`);
    await startCloudContainer(client, name);
  } else {
    start = 'created';
    progress(`creating container ${name} (APIs on 127.0.0.1; servers: ${servers === 'containers' ? 'containers on this machine\'s Docker' : 'fake'})`);
    // The external networks of the seed, in the order it creates them in a new cloud.
    const links = options.seed.externalNetworks.map((physnet, index) => ({ physnet, range: externalCidr(index) }));
    await createCloudContainer(client, name, undefined, servers, links);
  }
  if (state.exists && state.outdated) {
    progress(`note: ${name} runs an older image; \`resops cloud down --purge\` then \`up\` to use the new one (its data goes)`);
  }

  const startedAt = Date.parse((await containerState(client, name)).startedAt ?? '') || started;
  const deadline = started + (options.timeoutMs ?? 900_000);
  progress('waiting for the APIs');
  await waitForApis(deadline, progress, started);
  const apisMs = Date.now() - started;

  const cloudsFile = cloudsYamlPath(options.stateDir);
  const { client: admin, password } = await adminClient(options.stateDir, deadline, progress, () => generatedAdminPassword(client, name));
  progress('waiting for compute and volume services');
  let lastFatalCheck = 0;
  await waitForServices(admin, deadline, progress, started, startedAt, servers === 'containers' ? AGENT_SERVICES : [], async () => {
    // Two execs in the cloud's container: every 15 s is soon enough, and cheap on a busy machine.
    if (Date.now() - lastFatalCheck < 15_000) return undefined;
    lastFatalCheck = Date.now();
    const fatal = await fatalCloudPrograms(client, name);
    if (fatal.length === 0) return undefined;
    return `${fatal.map((f) => f.program).join(', ')} gave up starting; the end of ${fatal.length > 1 ? 'their logs' : 'its log'} (docker exec ${name} ls /var/log/resops/):\n` +
      fatal.map((f) => f.logTail.map((line) => `  ${f.program}: ${line}`).join('\n')).join('\n');
  });

  progress('seeding flavors, images, external networks, projects');
  const existing = readClouds(options.stateDir);
  const seed = await seedCloud(admin, {
    ...options.seed,
    knownPassword: (username) => {
      const project = username.replace(/-instructor$/, '');
      const entry = existing[`${LOCAL_CLOUD}-${project}`] as CloudEntry | undefined;
      return entry?.auth?.username === username ? entry.auth.password : undefined;
    },
  }, progress);
  if (servers === 'containers') await pointInternalEndpoints(admin, externalCidr(0).cloud, progress);

  progress('checking that a volume and a server can be scheduled');
  const probe = await waitForScheduling(admin, deadline, progress, started, await probeResources(admin));
  const readyMs = Date.now() - started;
  progress(`cloud ready ${seconds(started)} after start`);

  const entries: Record<string, CloudEntry> = { [LOCAL_CLOUD]: cloudEntry('admin', password, 'admin') };
  for (const p of seed.projects) entries[`${LOCAL_CLOUD}-${p.project}`] = cloudEntry(p.username, p.password, p.project);
  writeClouds(options.stateDir, entries);
  return {
    container: name,
    ...(buildMs !== undefined ? { buildMs } : {}),
    start,
    apisMs,
    readyMs,
    probeAttempts: probe.attempts,
    cloudsYaml: cloudsFile,
    clouds: Object.keys(entries),
    seed,
    outdated: Boolean(state.exists && state.outdated),
    servers,
  };
}

/**
 * An admin client. The container replaced the image's public admin password on its first start
 * and kept the new one for us (read once, then kept in clouds.yaml). A container of an older image
 * still has the public build-time one: it is replaced by a random one before anything else happens.
 */
async function adminClient(stateDir: string, deadline: number, progress: Progress, generated: () => Promise<string | undefined>): Promise<{ client: OpenStackClient; password: string }> {
  const source = cloudsYamlPath(stateDir);
  const stored = storedPassword(stateDir, LOCAL_CLOUD);
  for (;;) {
    try {
      if (stored) {
        try {
          return { client: await OpenStackClient.connect(adminConfig(stored, source)), password: stored };
        } catch (error) {
          if (!(error instanceof AuthenticationError)) throw error;
        }
      }
      const made = await generated();
      if (made && made !== stored) {
        const client = await OpenStackClient.connect(adminConfig(made, 'the container'));
        writeClouds(stateDir, { [LOCAL_CLOUD]: cloudEntry('admin', made, 'admin') });
        progress('  admin password: the one the cloud generated on its first start (now in clouds.yaml)');
        return { client, password: made };
      }
      let first: OpenStackClient;
      try {
        first = await OpenStackClient.connect(adminConfig(BUILD_ADMIN_PASSWORD, 'the image'));
      } catch (error) {
        if (error instanceof AuthenticationError) {
          throw new CloudContainerError(
            `the rehearsal cloud refuses the admin password on record in ${source}`,
            'the container was set up by another state directory; `resops cloud down --purge` then `resops cloud up` starts afresh',
          );
        }
        throw error;
      }
      const password = randomBytes(24).toString('base64url');
      await first.identity.changeOwnPassword(first.session.userId, BUILD_ADMIN_PASSWORD, password);
      progress('  admin password replaced by a random one (in clouds.yaml)');
      // Keystone revokes tokens when the password changes; writes go to clouds.yaml right away so
      // the password is never lost, even if seeding fails later.
      writeClouds(stateDir, { [LOCAL_CLOUD]: cloudEntry('admin', password, 'admin') });
      return { client: await OpenStackClient.connect(adminConfig(password, source)), password };
    } catch (error) {
      // Keystone can answer /v3 a moment before it can serve tokens (database warming up).
      const transient = error instanceof CloudUnreachableError || (error instanceof OpenStackApiError && error.status >= 500);
      if (!transient || Date.now() > deadline) throw error;
      await sleep(2000);
    }
  }
}

/** The smallest flavor and any active image, or ones of the probe's own when the cloud has none yet. */
async function probeResources(client: OpenStackClient): Promise<{ flavorId: string; imageId: string }> {
  const flavors = (await client.compute.listFlavors()).sort((a, b) => a.ram - b.ram);
  const flavorId = flavors[0]?.id ?? (await client.compute.createFlavor({ name: PROBE_NAME, vcpus: 1, ram: 64, disk: 1 })).id;
  const image = (await client.image.listImages()).find((i) => i.status === 'active');
  const imageId = image?.id ?? (await client.image.createImage({ name: PROBE_NAME, data: placeholderImage(), visibility: 'public' })).id;
  return { flavorId, imageId };
}

export interface DownOptions {
  stateDir: string;
  name?: string;
  purge?: boolean;
  progress: Progress;
}

export interface DownResult {
  stopped: boolean;
  removed: boolean;
  stopMs: number;
  /** Server containers stopped with the cloud (names). */
  serversStopped: string[];
  /** Loop devices of the cloud's volumes let go of (/dev/loopN). */
  loopDevicesReleased: string[];
  /** With purge: what else of the cloud's was removed from the host's Docker. */
  leftovers?: { containers: string[]; networks: string[] };
}

export async function cloudDown(options: DownOptions): Promise<DownResult> {
  const name = options.name ?? CLOUD_CONTAINER;
  const client = docker();
  await requireDocker(client);
  const started = Date.now();
  // While Nova's helper is there to do it: the devices still mounted in servers are freed by the
  // kernel as the servers stop below. `up` attaches the volumes again as it starts the servers.
  const released = await releaseCloudLoopDevices(client, name);
  if (released.length > 0) options.progress(`released ${released.length} loop device(s) of ${name}'s volumes`);
  const stopped = await stopCloudContainer(client, name);
  if (stopped) options.progress(`stopped ${name} in ${seconds(started)}`);
  // After the cloud: Nova still holds them as running, and starts them again with the cloud.
  const serversStopped = await stopServerContainers(client, name);
  if (serversStopped.length > 0) options.progress(`stopped ${serversStopped.length} server container(s) of ${name}`);
  let removed = false;
  let leftovers: DownResult['leftovers'];
  if (options.purge) {
    removed = await removeCloudContainer(client, name);
    if (removed) options.progress(`removed ${name} and its data`);
    leftovers = await removeCloudLeftovers(client, name);
    if (leftovers.containers.length > 0) options.progress(`removed ${leftovers.containers.length} server container(s) of ${name}`);
    if (leftovers.networks.length > 0) options.progress(`removed Docker network(s) ${leftovers.networks.join(', ')}`);
    // Loop devices of a cloud that died without `down` (their files are gone with its container).
    const orphans = await releaseCloudLoopDevices(client, name);
    released.push(...orphans);
    if (orphans.length > 0) options.progress(`released ${orphans.length} loop device(s) left by ${name}: ${orphans.map((d) => d.device).join(', ')}`);
    // A new container starts with the build-time password again: the stored ones are void.
    writeClouds(options.stateDir, {}, [`${LOCAL_CLOUD}`, `${LOCAL_CLOUD}-*`]);
  }
  return { stopped, removed, stopMs: Date.now() - started, serversStopped, loopDevicesReleased: released.map((d) => d.device), ...(leftovers ? { leftovers } : {}) };
}
