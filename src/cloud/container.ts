import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { buildStep, followBuild } from '../local/build-follower.js';
import { runInContainer } from '../process/run-in-container.js';
import { hostAddressesIn } from './host-addresses.js';
import type { ExternalRange } from './seed.js';

/**
 * The rehearsal cloud's image and container, through the Docker API (dockerode). The image is
 * built from containers/openstack on first use and rebuilt when those files change (the build is
 * layered, so a config edit rebuilds in about a minute); the container keeps the cloud's data
 * between `down` and `up` until `down --purge`.
 */

export const CLOUD_IMAGE = 'resops/openstack:latest';
export const CLOUD_CONTAINER = 'resops-cloud';
export const ROLE_LABEL = 'resops.role';
export const CONTEXT_LABEL = 'resops.context';
/** On the cloud's container: what its servers are (absent on containers made before #13: fake). */
export const SERVERS_LABEL = 'resops.servers';
/** On every container and network Nova's container driver makes: the cloud container's name. */
export const CLOUD_LABEL = 'resops.cloud';
/** Role of a server's container (containers/openstack/servers/resops_servers/driver.py). */
export const SERVER_ROLE = 'cloud-server';
/** The host's Docker socket, as the daemon sees it: mounted into the cloud with `--servers containers`. */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * What a server of the cloud is: `fake`, Nova's fake driver (servers go ACTIVE, nothing boots);
 * `containers`, one container per server on the host's Docker (issue #13).
 */
export const SERVERS_MODES = ['fake', 'containers'] as const;
export type ServersMode = (typeof SERVERS_MODES)[number];

/** Every API on the same port inside and on the host's 127.0.0.1 (the catalog names these). */
export const CLOUD_PORTS = {
  keystone: 5000,
  nova: 8774,
  cinder: 8776,
  placement: 8778,
  swift: 8080,
  glance: 9292,
  neutron: 9696,
} as const;

export type CloudService = keyof typeof CLOUD_PORTS;

export const CONTEXT_DIR = fileURLToPath(new URL('../../containers/openstack/', import.meta.url));

export type Progress = (line: string) => void;

export class CloudContainerError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CloudContainerError';
  }
}

export function docker(): Docker {
  return new Docker();
}

/** Throws a CloudContainerError saying how to get Docker when the daemon does not answer. */
export async function requireDocker(client: Docker): Promise<void> {
  try {
    await client.ping();
  } catch (error) {
    throw new CloudContainerError(
      `Docker does not answer (${(error as Error).message})`,
      'the rehearsal cloud runs in Docker: start dockerd (scripts/setup-host.sh does) and check `docker info`',
    );
  }
}

function contextFiles(dir = CONTEXT_DIR, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== '__pycache__') files.push(...contextFiles(dir, relative));
    } else if (entry.isFile()) {
      files.push(relative);
    }
  }
  return files.sort();
}

/** Hash of the build context (names, modes and contents), stored as an image label. */
export function contextHash(dir = CONTEXT_DIR): string {
  const hash = createHash('sha256');
  for (const file of contextFiles(dir)) {
    const full = path.join(dir, file);
    hash.update(`${file}\0${statSync(full).mode & 0o111 ? 'x' : '-'}\0`);
    hash.update(readFileSync(full));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export interface ImageState {
  present: boolean;
  /** The image was built from the current containers/openstack files. */
  current: boolean;
  id?: string;
  sizeBytes?: number;
}

export async function imageState(client: Docker, image = CLOUD_IMAGE): Promise<ImageState> {
  try {
    const info = await client.getImage(image).inspect();
    return { present: true, current: info.Config?.Labels?.[CONTEXT_LABEL] === contextHash(), id: info.Id, sizeBytes: info.Size };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { present: false, current: false };
    throw error;
  }
}

/**
 * Builds the image with progress: each Dockerfile step, and every `everyMs` the latest line of
 * the running step (apt output is thousands of lines). Returns the build duration in ms.
 */
export async function buildImage(client: Docker, progress: Progress, options: { image?: string; everyMs?: number } = {}): Promise<number> {
  const started = Date.now();
  const everyMs = options.everyMs ?? 15_000;
  const stream = await client.buildImage(
    { context: CONTEXT_DIR, src: contextFiles() },
    { t: options.image ?? CLOUD_IMAGE, labels: { [CONTEXT_LABEL]: contextHash(), [ROLE_LABEL]: 'cloud' }, rm: true, forcerm: true },
  );
  let lastShown = Date.now();
  let latest = '';
  const outcome = await followBuild(stream as Readable, (line) => {
    const elapsed = Math.round((Date.now() - started) / 1000);
    if (buildStep(line)) {
      progress(`[${elapsed}s] ${line.length > 110 ? `${line.slice(0, 107)}...` : line}`);
      lastShown = Date.now();
    } else if (!line.startsWith(' ---> ')) {
      latest = line;
      if (Date.now() - lastShown >= everyMs) {
        progress(`[${elapsed}s]   ${latest.length > 100 ? `${latest.slice(0, 97)}...` : latest}`);
        lastShown = Date.now();
      }
    }
  }).catch((error: Error) => {
    throw new CloudContainerError(`building ${options.image ?? CLOUD_IMAGE}: ${error.message}`);
  });
  if (outcome.failure) {
    throw new CloudContainerError(`building ${options.image ?? CLOUD_IMAGE} failed: ${outcome.failure}`, `last build output:\n${outcome.tail.join('\n')}`);
  }
  return Date.now() - started;
}

export interface ContainerState {
  exists: boolean;
  running: boolean;
  id?: string;
  image?: string;
  startedAt?: string;
  /** The container runs an image other than the current resops/openstack. */
  outdated?: boolean;
  /** What its servers are (label resops.servers; fake when absent). */
  servers?: ServersMode;
}

export async function containerState(client: Docker, name = CLOUD_CONTAINER): Promise<ContainerState> {
  try {
    const info = await client.getContainer(name).inspect();
    let outdated = false;
    try {
      outdated = (await client.getImage(CLOUD_IMAGE).inspect()).Id !== info.Image;
    } catch {
      outdated = false;
    }
    const servers: ServersMode = info.Config.Labels?.[SERVERS_LABEL] === 'containers' ? 'containers' : 'fake';
    return { exists: true, running: info.State.Running, id: info.Id, image: info.Image, startedAt: info.State.StartedAt, outdated, servers };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { exists: false, running: false };
    throw error;
  }
}

/** Ports of CLOUD_PORTS already taken on 127.0.0.1, each with who holds it when Docker knows. */
export async function busyPorts(client: Docker): Promise<Array<{ port: number; holder?: string }>> {
  const busy: Array<{ port: number; holder?: string }> = [];
  const containers = await client.listContainers();
  for (const port of Object.values(CLOUD_PORTS)) {
    if (await portIsFree(port)) continue;
    const holder = containers.find((c) => c.Ports.some((p) => p.PublicPort === port));
    busy.push({ port, ...(holder ? { holder: `container ${holder.Names[0]?.replace(/^\//, '') ?? holder.Id.slice(0, 12)}` } : {}) });
  }
  return busy;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** An external network whose floating IPs the host reaches, with servers as containers. */
export interface ExternalLink {
  /** Neutron's physical network (the seed names it after the external network). */
  physnet: string;
  range: ExternalRange;
}

export const EXTERNAL_NETWORK_ROLE = 'cloud-external-network';

/** The Docker network carrying external network `physnet` of cloud `cloud`. */
export function externalDockerNetwork(cloud: string, physnet: string): string {
  return `${cloud}-ext-${physnet}`;
}

/**
 * A bridge network on the host's Docker for each external network: Docker gives the host its
 * gateway address (so the floating IPs are routed into it, and only there), masquerades what the
 * servers send out (apt reaches Debian's archive through their router's SNAT), and removes both
 * with the network (`cloud down --purge`).
 */
async function ensureExternalNetworks(client: Docker, cloud: string, links: ExternalLink[]): Promise<void> {
  for (const link of links) {
    const name = externalDockerNetwork(cloud, link.physnet);
    const found = await client.getNetwork(name).inspect().catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return undefined;
      throw error;
    }) as { IPAM?: { Config?: Array<{ Subnet?: string }> } } | undefined;
    if (found) {
      const subnet = found.IPAM?.Config?.[0]?.Subnet;
      if (subnet !== link.range.cidr) {
        throw new CloudContainerError(`Docker network ${name} exists with subnet ${subnet ?? 'none'}, not ${link.range.cidr}`, `\`docker network rm ${name}\`, then \`resops cloud up\` again`);
      }
      continue;
    }
    const taken = await hostAddressesIn(link.range.cidr);
    if (taken.length > 0) {
      throw new CloudContainerError(
        `the floating IPs of external network ${link.physnet} (${link.range.cidr}) would be routed into the cloud, but this machine uses ${taken.join(', ')} in that range`,
        'the cloud would cut the host off from them: `resops cloud up --servers fake`, or report the clash (the ranges are in src/cloud/seed.ts)',
      );
    }
    try {
      await client.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [CLOUD_LABEL]: cloud, [ROLE_LABEL]: EXTERNAL_NETWORK_ROLE, 'resops.physnet': link.physnet },
        IPAM: { Config: [{ Subnet: link.range.cidr, Gateway: link.range.gateway }] },
      });
    } catch (error) {
      throw new CloudContainerError(
        `Docker cannot make network ${name} (${link.range.cidr}) for external network ${link.physnet}: ${(error as Error).message}`,
        'a Docker network or host interface already uses that subnet: remove it, or `resops cloud up --servers fake`',
      );
    }
  }
}

/**
 * Creates and starts the container (ports on 127.0.0.1 only). With `servers: 'containers'` it gets
 * the host's Docker socket, which nova-compute uses to run one container per server, the host's
 * PID namespace (to reach each server's network namespace), NET_ADMIN and SYS_ADMIN (Neutron's
 * agents make bridges, veths, namespaces and iptables rules in the cloud's own network namespace),
 * SYS_PTRACE and DAC_READ_SEARCH (the set Neutron's privsep daemon keeps: it fails to start when
 * it cannot keep them all), the loop devices (volumes attached to servers are loop devices backed
 * by Cinder's files, given one by one to the server's container through its devices cgroup),
 * and a leg on each external network's Docker network (`links`): whoever controls the cloud's Nova
 * then controls the host's Docker (docs/rehearsal-cloud.md).
 */
export async function createCloudContainer(client: Docker, name = CLOUD_CONTAINER, image = CLOUD_IMAGE, servers: ServersMode = 'fake', links: ExternalLink[] = []): Promise<void> {
  const busy = await busyPorts(client);
  if (busy.length > 0) {
    throw new CloudContainerError(
      `ports needed by the rehearsal cloud are taken on 127.0.0.1: ${busy.map((b) => `${b.port}${b.holder ? ` (${b.holder})` : ''}`).join(', ')}`,
      'stop what holds them (another rehearsal cloud: `resops cloud down`; a local course publishing Swift on 8080: `resops down`, or move its local.ports.swift)',
    );
  }
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of Object.values(CLOUD_PORTS)) {
    exposed[`${port}/tcp`] = {};
    bindings[`${port}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: String(port) }];
  }
  const containers = servers === 'containers';
  if (containers) await ensureExternalNetworks(client, name, links);
  const container = await client.createContainer({
    name,
    Image: image,
    Labels: { [ROLE_LABEL]: 'cloud', [SERVERS_LABEL]: servers },
    // Read by the entry point (containers/openstack/servers/resops-cloud-servers) and the driver.
    Env: [
      `RESOPS_SERVERS=${servers}`,
      `RESOPS_CLOUD_NAME=${name}`,
      ...(containers ? [`RESOPS_EXTERNAL_NETWORKS=${links.map((l) => `${l.physnet}=${l.range.cidr}`).join(';')}`] : []),
      ...(containers ? [`RESOPS_SERVER_DEVICES=${serverDevices().join(' ')}`] : []),
    ],
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      ...(containers
        ? {
          Binds: [`${DOCKER_SOCKET}:${DOCKER_SOCKET}`],
          PidMode: 'host',
          CapAdd: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH'],
          SecurityOpt: ['apparmor=unconfined'],
          // Volumes are loop devices (major 7) backed by Cinder's files (src/cloud/loop-devices.ts).
          Devices: [{ PathOnHost: '/dev/loop-control', PathInContainer: '/dev/loop-control', CgroupPermissions: 'rwm' }],
          DeviceCgroupRules: ['b 7:* rwm'],
        }
        : {}),
    },
  });
  if (containers) {
    for (const link of links) {
      await client.getNetwork(externalDockerNetwork(name, link.physnet)).connect({ Container: container.id, EndpointConfig: { IPAMConfig: { IPv4Address: link.range.cloud } } });
    }
  }
  await container.start();
}

export async function startCloudContainer(client: Docker, name = CLOUD_CONTAINER): Promise<void> {
  await client.getContainer(name).start();
}

/** Stops the container (services stop in parallel: a few seconds). */
export async function stopCloudContainer(client: Docker, name = CLOUD_CONTAINER): Promise<boolean> {
  const state = await containerState(client, name);
  if (!state.running) return false;
  await client.getContainer(name).stop({ t: 30 });
  return true;
}

export async function removeCloudContainer(client: Docker, name = CLOUD_CONTAINER): Promise<boolean> {
  const state = await containerState(client, name);
  if (!state.exists) return false;
  await client.getContainer(name).remove({ force: true, v: true });
  return true;
}

/** Memory the container uses now, in bytes (one stats sample). */
export async function containerMemory(client: Docker, name = CLOUD_CONTAINER): Promise<number | undefined> {
  const stats = (await client.getContainer(name).stats({ stream: false })) as { memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number } } };
  const usage = stats.memory_stats?.usage;
  if (usage === undefined) return undefined;
  // Like `docker stats`: page cache is not the container's own memory.
  return usage - (stats.memory_stats?.stats?.inactive_file ?? stats.memory_stats?.stats?.cache ?? 0);
}

export interface ServerContainer {
  name: string;
  id: string;
  /** Docker's state: running, exited, created… */
  state: string;
  /** Docker's status line, e.g. "Up 3 minutes". */
  status: string;
  /** The Nova instance (server) id. */
  server: string;
  /** The server's name in Nova when it was created. */
  serverName: string;
  image: string;
}

/** The servers' containers of cloud `name` (made by Nova's container driver), by name. */
export async function serverContainers(client: Docker, name = CLOUD_CONTAINER): Promise<ServerContainer[]> {
  const list = await client.listContainers({ all: true, filters: { label: [`${CLOUD_LABEL}=${name}`, `${ROLE_LABEL}=${SERVER_ROLE}`] } });
  return list
    .map((c) => ({
      name: c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12),
      id: c.Id,
      state: c.State,
      status: c.Status,
      server: c.Labels['resops.nova-instance'] ?? '',
      serverName: c.Labels['resops.server-name'] ?? '',
      image: c.Image,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Stops the running server containers of cloud `name` (in parallel; their disks stay). Called
 * after the cloud itself stopped, so that Nova still holds them as running and starts them again
 * with the cloud (resume_guests_state_on_host_boot).
 */
export async function stopServerContainers(client: Docker, name = CLOUD_CONTAINER): Promise<string[]> {
  const running = (await serverContainers(client, name)).filter((c) => c.state === 'running' || c.state === 'restarting');
  await Promise.all(running.map((c) => client.getContainer(c.id).stop({ t: 10 }).catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 304 && error.statusCode !== 404) throw error;
  })));
  return running.map((c) => c.name);
}

/** Removes everything on the host's Docker labelled as cloud `name`'s: containers, then networks. */
export async function removeCloudLeftovers(client: Docker, name = CLOUD_CONTAINER): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`${CLOUD_LABEL}=${name}`] };
  const containers = await client.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => client.getContainer(c.Id).remove({ force: true, v: true }).catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 404) throw error;
  })));
  const networks = await client.listNetworks({ filters });
  for (const n of networks) {
    await client.getNetwork(n.Id).remove().catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    });
  }
  return { containers: containers.map((c) => c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)), networks: networks.map((n) => n.Name) };
}

/** Networks on the host's Docker labelled as cloud `name`'s. */
export async function cloudNetworks(client: Docker, name = CLOUD_CONTAINER): Promise<string[]> {
  return (await client.listNetworks({ filters: { label: [`${CLOUD_LABEL}=${name}`] } })).map((n) => n.Name).sort();
}

/**
 * Programs of the cloud's supervisord that gave up (FATAL: they kept exiting at start, e.g.
 * nova-compute when its driver cannot reach Docker, or an agent without the capabilities it
 * needs), each with the last lines of its log; empty when none did.
 */
/**
 * What the container did with the passwords its image shares with everyone (containers/openstack/
 * servers/resops-cloud-passwords): when it replaced them, or `not-generated` for a container of an
 * older image (its service users still share `resops-service`). `unknown` when it cannot be asked.
 */
export type PasswordsState = { generatedAt: string; serviceUsers: string[] } | 'not-generated' | 'unknown';

export async function cloudPasswordsState(client: Docker, name = CLOUD_CONTAINER): Promise<PasswordsState> {
  const result = await runInContainer(client, client.getContainer(name), name, ['cat', '/var/lib/resops/passwords.json'], { timeoutMs: 30_000, check: false }).catch(() => undefined);
  if (!result) return 'unknown';
  if (result.code !== 0) return /No such file/.test(result.stderr) ? 'not-generated' : 'unknown';
  try {
    const marker = JSON.parse(result.stdout) as { generated_at?: unknown; service_users?: unknown };
    if (typeof marker.generated_at !== 'string' || !Array.isArray(marker.service_users)) return 'unknown';
    return { generatedAt: marker.generated_at, serviceUsers: marker.service_users.map(String) };
  } catch {
    return 'unknown';
  }
}

/** The admin password the container made on its first start; undefined for an older image. Never logged. */
export async function generatedAdminPassword(client: Docker, name = CLOUD_CONTAINER): Promise<string | undefined> {
  const result = await runInContainer(client, client.getContainer(name), name, ['cat', '/var/lib/resops/admin-password'], { timeoutMs: 30_000, check: false });
  const password = result.stdout.trim();
  return result.code === 0 && password ? password : undefined;
}

export async function fatalCloudPrograms(client: Docker, name = CLOUD_CONTAINER): Promise<Array<{ program: string; logTail: string[] }>> {
  const container = client.getContainer(name);
  const status = await runInContainer(client, container, name, ['supervisorctl', '-c', '/etc/supervisor/supervisord.conf', 'status'], { timeoutMs: 30_000, check: false });
  const fatal = status.stdout.split('\n').filter((line) => /\sFATAL\s/.test(line)).map((line) => line.split(/\s+/)[0]!);
  return Promise.all(fatal.map(async (program) => {
    const log = `/var/log/resops/${program.split(':').pop()}.log`;
    const tail = await runInContainer(client, container, name, ['tail', '-n', '5', log], { timeoutMs: 30_000, check: false });
    return { program, logTail: tail.stdout.split('\n').filter(Boolean) };
  }));
}

/**
 * Host devices every server container gets (the driver reads RESOPS_SERVER_DEVICES): /dev/fuse
 * when this machine's kernel offers FUSE, as a VM's kernel gives its root; the pipeline's shared
 * directory is sshfs. Docker runs on this machine (its socket is bound into the cloud).
 */
export function serverDevices(exists: (path: string) => boolean = existsSync): string[] {
  return ['/dev/fuse'].filter((path) => exists(path));
}
