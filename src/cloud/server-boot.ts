/**
 * One rehearsal-cloud server as a Docker container that boots like a VM (groundwork for #13):
 * the `resops/server` image (containers/server) with systemd as PID 1 and Debian's cloud-init,
 * which reads its user data and meta-data from a NoCloud seed.
 *
 * The seed is copied into the created container with putArchive before its first start, not
 * bind-mounted: Nova's driver runs inside the rehearsal cloud's container and talks to the
 * host's Docker socket, where a path of its own would mean nothing to the daemon.
 *
 * Nova's driver (containers/openstack/servers/resops_servers) does the same in Python:
 * `server_create_options` and `seed_files` there mirror `serverCreateOptions` and `seedFiles`
 * here, and test/cloud-server-parity.test.ts keeps them equal.
 */
import type Docker from 'dockerode';
import { stringify } from 'yaml';
import { messageOf } from '../local/docker.js';
import { imageTag } from '../local/images.js';
import { packTar } from '../local/tar.js';
import { CommandFailed } from '../process/command-failed.js';
import { runInContainer } from '../process/run-in-container.js';

export const SERVER_IMAGE = imageTag('server');

/** Where the image's cloud-init looks for its seed (its datasource_list is NoCloud, None). */
export const SEED_DIR = '/var/lib/cloud/seed/nocloud';

export interface ServerFlavor {
  vcpus: number;
  ramMb: number;
}

export interface ServerSpec {
  /** Container name. */
  name: string;
  labels: Record<string, string>;
  /** User data as Nova would pass it (for our stacks, a `#cloud-config` document). */
  userData: string;
  /** Changing the instance id is what makes cloud-init treat a boot as a new instance's first. */
  instanceId: string;
  /** `local-hostname` of the meta-data, and the container's hostname from its first second. */
  hostname: string;
  flavor: ServerFlavor;
  /** Default: resops/server:latest. */
  image?: string;
  /** Docker network to join; default: Docker's default bridge. */
  network?: string;
  /** MAC address of its interface on `network`. */
  macAddress?: string;
  /**
   * Neutron ports Nova's driver plugs in after the start (resops-plug-port): the container starts
   * without Docker's network, and its entry point waits for that many interfaces before systemd.
   */
  ports?: number;
  /** SSH public keys of the meta-data (`public-keys`: Nova's key pair), for cloud-init's default user. */
  publicKeys?: string[];
  /**
   * Host character devices the server may use, at the same path: `/dev/fuse`, which a VM's kernel
   * gives its root (sshfs: the pipeline's shared directory). Default: none.
   */
  devices?: readonly string[];
}

export class ServerBootError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerBootError';
  }
}

const MIB = 1024 * 1024;
/** Docker's data inside a server: an anonymous volume, so that overlay2 works there. */
export const DOCKER_DATA_DIR = '/var/lib/docker';
/** Docker's default CPU weight is 1024. */
export const SERVER_CPU_SHARES = 256;

/**
 * The container as a VM-like server needs it. `--privileged` is refused by this machine's Docker
 * (shared/README.md), and SYS_ADMIN with seccomp and AppArmor off is what systemd needs to mount
 * and set the hostname. A vCPU count above the host's is capped: Docker refuses NanoCpus over
 * the host's CPU count, where a hypervisor would overcommit.
 * What a VM's root has and Docker inside the server needs (a worker's containers): NET_ADMIN (its
 * bridge and NAT), a cgroup namespace of its own (its cgroups nest under the server's, within the
 * flavor's limits, and the image makes them writable at boot) and /var/lib/docker on a volume
 * (overlay2 cannot stack on the container's own overlay root), removed with the server.
 */
export function serverCreateOptions(spec: ServerSpec, hostCpus: number): Docker.ContainerCreateOptions {
  const memory = spec.flavor.ramMb * MIB;
  // dockerode's HostConfig type predates CgroupnsMode (Docker API 1.41).
  const hostConfig: Docker.HostConfig & { CgroupnsMode: 'private' | 'host' } = {
    CapAdd: ['SYS_ADMIN', 'NET_ADMIN'],
    SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
    CgroupnsMode: 'private',
    // /tmp keeps exec, as on a VM's disk; /run/lock is only for lock files.
    Tmpfs: { '/run': 'rw,nosuid,nodev,mode=755', '/run/lock': 'rw,nosuid,nodev,noexec,mode=1777', '/tmp': 'rw,nosuid,nodev,mode=1777' },
    Memory: memory,
    // No swap beyond the flavor's RAM: a VM of the flavor has none either.
    MemorySwap: memory,
    NanoCpus: Math.round(Math.min(spec.flavor.vcpus, hostCpus) * 1e9),
    // A quarter of the default weight: when the host is short of CPU, the cloud's own services
    // (and whoever drives them) come first, as a hypervisor host reserves CPU for itself.
    CpuShares: SERVER_CPU_SHARES,
    ...(spec.network ? { NetworkMode: spec.network } : spec.ports !== undefined ? { NetworkMode: 'none' } : {}),
    ...(spec.devices?.length ? { Devices: spec.devices.map((path) => ({ PathOnHost: path, PathInContainer: path, CgroupPermissions: 'rwm' })) } : {}),
  };
  return {
    name: spec.name,
    Image: spec.image ?? SERVER_IMAGE,
    Hostname: spec.hostname,
    Labels: spec.labels,
    HostConfig: hostConfig,
    Volumes: { [DOCKER_DATA_DIR]: {} },
    ...(spec.macAddress ? { MacAddress: spec.macAddress } : {}),
    ...(spec.ports !== undefined ? { Env: [`RESOPS_PORTS=${spec.ports}`] } : {}),
  };
}

/** The NoCloud seed's files: meta-data (YAML) and user-data, as cloud-init expects them. */
export function seedFiles(spec: Pick<ServerSpec, 'userData' | 'instanceId' | 'hostname' | 'publicKeys'>): { path: string; content: string; mode: number }[] {
  const metaData = stringify({
    'instance-id': spec.instanceId,
    'local-hostname': spec.hostname,
    ...(spec.publicKeys?.length ? { 'public-keys': spec.publicKeys } : {}),
  });
  // User data may hold secrets (Nova only shows it to the owner): root-only, like cloud-init's copies.
  return [
    { path: 'meta-data', content: metaData, mode: 0o644 },
    { path: 'user-data', content: spec.userData, mode: 0o600 },
  ];
}

/** Creates the server's container with its seed in place, not started. */
export async function createServer(docker: Docker, spec: ServerSpec): Promise<Docker.Container> {
  const { NCPU } = (await docker.info()) as { NCPU: number };
  const container = await docker.createContainer(serverCreateOptions(spec, NCPU));
  try {
    await container.putArchive(packTar(seedFiles(spec)), { path: SEED_DIR });
  } catch (error) {
    // A server without its seed would boot as an instance of nobody: leave nothing half made.
    await container.remove({ force: true }).catch(() => undefined);
    throw new ServerBootError(`server ${spec.name}: copying the cloud-init seed into the container failed: ${messageOf(error)}`, { cause: error });
  }
  return container;
}

export interface CloudInitOutcome {
  /** done: its last stage ran without errors; error: it ran, with errors; timeout: not finished in time. */
  status: 'done' | 'error' | 'timeout';
  errors: string[];
  /** The stage it was in when the wait ran out (timeout only). */
  stage?: string;
  datasource?: string;
  elapsedMs: number;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Default 1 s. */
  pollMs?: number;
}

/**
 * Waits until cloud-init has finished this boot: its final stage writes /run/cloud-init/result.json
 * (on a tmpfs, so written anew on every boot). Not `cloud-init status --wait`: Debian's 22.4 reports
 * `error` as soon as one stage failed, while the later stages still run.
 */
export async function waitForCloudInit(docker: Docker, container: Docker.Container, where: string, options: WaitOptions): Promise<CloudInitOutcome> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const pollMs = options.pollMs ?? 1000;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const result = await readRunFile(docker, container, where, 'result.json', Math.min(10_000, remaining));
    if (result !== undefined) {
      const v1 = parseV1(result);
      const errors = stringsOf(v1?.errors);
      const datasource = typeof v1?.datasource === 'string' ? v1.datasource : undefined;
      return { status: errors.length ? 'error' : 'done', errors, elapsedMs: Date.now() - started, ...(datasource ? { datasource } : {}) };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(pollMs, deadline - Date.now()))));
  }
  // Not finished: say where it is and what went wrong so far (status.json has one entry a stage).
  const status = parseV1((await readRunFile(docker, container, where, 'status.json', 10_000)) ?? '');
  const errors: string[] = [];
  for (const value of Object.values(status ?? {})) {
    if (value && typeof value === 'object' && 'errors' in value) errors.push(...stringsOf(value.errors));
  }
  const stage = typeof status?.stage === 'string' ? status.stage : undefined;
  return { status: 'timeout', errors, elapsedMs: Date.now() - started, ...(stage ? { stage } : {}) };
}

/** A file of /run/cloud-init, or undefined while it does not exist. A stopped container is an error. */
async function readRunFile(docker: Docker, container: Docker.Container, where: string, file: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const result = await runInContainer(docker, container, where, ['cat', `/run/cloud-init/${file}`], { timeoutMs, check: false });
    return result.code === 0 ? result.stdout : undefined;
  } catch (error) {
    if (!(error instanceof CommandFailed) || error.end.kind !== 'not-started') throw error;
    const state = await container.inspect().then((info) => info.State);
    if (state.Running) throw error;
    throw new ServerBootError(`server ${where} stopped while booting (exit code ${state.ExitCode}${state.Error ? `: ${state.Error}` : ''})`, { cause: error });
  }
}

function parseV1(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const v1 = (parsed as { v1?: unknown } | null)?.v1;
    return v1 && typeof v1 === 'object' ? (v1 as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

export interface BootedServer {
  container: Docker.Container;
  cloudInit: CloudInitOutcome;
}

/**
 * Creates, seeds and starts a server and waits (at most `timeoutMs`) for cloud-init. A cloud-init
 * that failed or did not finish is returned, not thrown: the caller decides (Nova: ERROR or not).
 */
export async function bootServer(docker: Docker, spec: ServerSpec, options: WaitOptions): Promise<BootedServer> {
  const container = await createServer(docker, spec);
  await container.start();
  const cloudInit = await waitForCloudInit(docker, container, spec.name, options);
  return { container, cloudInit };
}
