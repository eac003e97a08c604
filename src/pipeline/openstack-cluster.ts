/**
 * The course's Slurm cluster on the openstack target, as `configure` left it: slurmctld and
 * Snakemake on the monitoring host, slurmd on each worker VM (roles slurm_controller, slurm_node).
 * Nothing is created here but what one run needs and gives back afterwards: an EC2 credential
 * for the object store's S3 API (cloud-native runs), and the Slurm nodes beyond the run's worker
 * count drained for the run. Lift-and-shift runs use the shared directory role pipeline_share
 * mounted at /data on every Slurm machine, checked before each run. The machines are reached
 * over SSH as `configure` reaches them.
 */
import { randomUUID } from 'node:crypto';
import type { InventoryHost, SshKeys } from '../ansible/inventory.js';
import { deploysStorage, type Course, type PipelineStorage } from '../course/model.js';
import type { Progress } from '../local/progress.js';
import type { OpenStackClient } from '../openstack/client.js';
import { isLoopbackUrl, serversEndpoints, type ServersEndpoints } from '../openstack/servers-endpoints.js';
import { askCloud, connectCourseCloud, courseCloudName } from '../targets/course-cloud.js';
import { TargetError } from '../targets/driver.js';
import { DATA_DIR } from './cluster.js';
import type { MetricsEndpoints } from './metrics.js';
import { shellQuote, sshNodeShell, sshTunnel, type NodeShell } from './node-shell.js';
import { ledgerFile, runCredential } from './run-credentials.js';
import { s3ClientLines } from './s3-python.js';
import type { EngineCluster } from './slurm-engine.js';

export interface OpenstackAccess {
  keys: SshKeys;
  stacksDir?: string;
  tofu?: boolean;
}

export interface OpenstackRunCluster {
  cluster: EngineCluster;
  shell: NodeShell;
  /** Gives back what the run took (drained nodes, the credential); safe to call once, always. */
  release(): Promise<void>;
  /**
   * The monitoring host's Pushgateway and Gnocchi, forwarded over its SSH to this machine's
   * loopback for the run (the security groups open neither to the world); undefined when the
   * course has no monitoring.
   */
  metrics(lifetimeMs: number): Promise<{ endpoints: MetricsEndpoints; close(): Promise<void> } | undefined>;
}

/** The ports the monitoring roles listen on (roles pushgateway and gnocchi, their defaults). */
const MONITORING_PORTS = { pushgateway: 9091, gnocchi: 8041 } as const;
/** Cloud-native runs' directories when DATA_DIR is the shared directory (`pipeline.storage: both`): on each node's own disk. */
export const NODE_LOCAL_RUNS_DIR = '/var/lib/resops-runs';

/**
 * Where the servers reach the object store's S3 API: the course's `cloud.s3_endpoint`, else the
 * origin of the catalog's object-store endpoint at the interface the servers use. A loopback
 * address is this machine's, never the servers': refused, naming the fields to set.
 */
export function s3EndpointForServers(course: Pick<Course, 'file' | 'cloud'>, servers: () => Pick<ServersEndpoints, 'interface' | 'objectStoreOrigin' | 'reason'>): string {
  if (course.cloud.s3Endpoint) return course.cloud.s3Endpoint;
  const { interface: iface, objectStoreOrigin, reason } = servers();
  if (!objectStoreOrigin) throw new TargetError(`${course.file}: the cloud's catalog has no ${iface} object-store endpoint (${iface}: ${reason}) and cloud.s3_endpoint is not set`, 'cloud-native runs need the object store\'s S3 API (Swift\'s s3api): set cloud.s3_endpoint');
  if (isLoopbackUrl(objectStoreOrigin)) {
    throw new TargetError(
      `${course.file}: cloud.s3_endpoint is not set, and the catalog's ${iface} object store (${objectStoreOrigin}) is on this machine's loopback, which the servers cannot reach`,
      'set cloud.s3_endpoint to the address the servers use, or cloud.servers_interface to an interface the servers reach',
    );
  }
  return objectStoreOrigin;
}

/** The monitoring host and the workers (in Slurm's order) of the course's inventory. */
export function clusterHosts(course: Pick<Course, 'id' | 'file'>, hosts: InventoryHost[], count: number): { head: InventoryHost; workers: InventoryHost[] } {
  const head = hosts.find((h) => h.group === 'monitoring');
  if (!head) throw new TargetError(`course ${course.id}: no monitoring host in the stacks' outputs, and it is the pipeline's Slurm controller`, `deploy it (\`resops up ${course.file}\`) and configure it (\`resops configure ${course.file}\`)`);
  const slurmIndex = (h: InventoryHost) => Number(/^worker(\d+)$/.exec(String(h.vars.resops_worker ?? ''))?.[1] ?? Infinity);
  const workers = hosts.filter((h) => h.group === 'workers').sort((a, b) => slurmIndex(a) - slurmIndex(b));
  if (workers.length < count) {
    throw new TargetError(`--workers ${count}: course ${course.id} has ${workers.length} worker VM${workers.length === 1 ? '' : 's'} deployed`, `run with --workers ${Math.max(1, workers.length)} or fewer, or raise pipeline.workers in ${course.file} and \`resops up\``);
  }
  return { head, workers };
}

/**
 * A run's cluster: the monitoring host and the first `count` workers, with what the storage
 * variant needs (cloud-native: the bucket and an EC2 credential for the run; lift-and-shift: the
 * shared directory, proven on every machine of the run).
 */
export async function ensureOpenstackCluster(course: Course, count: number, run: string, storage: PipelineStorage, progress: Progress, access: OpenstackAccess): Promise<OpenstackRunCluster> {
  // The pipeline stack makes the storage the course file names, and configure mounts the share only for it.
  if (!deploysStorage(course.pipeline, storage)) {
    throw new TargetError(
      `--storage ${storage}: course ${course.id} deploys ${course.pipeline.storage === 'volume' ? 'a shared volume (lift-and-shift), not a Swift container' : 'a Swift container (cloud-native), not a shared volume'} (pipeline.storage in ${course.file})`,
      `set pipeline.storage: both (or ${storage}) in ${course.file}, then \`resops up\` and \`resops configure\``,
      2,
    );
  }
  const { buildInventory } = await import('../ansible/build.js');
  const inventory = await buildInventory(course, { login: 'admin', keys: access.keys, ...(access.stacksDir ? { stacksDir: access.stacksDir } : {}), ...(access.tofu ? { tofu: true } : {}), log: (line) => progress.detail(line) });
  // A host's own variables over the inventory's (Ansible's precedence): ssh options may be either.
  const { head, workers } = clusterHosts(course, inventory.hosts.map((h) => ({ ...h, vars: { ...inventory.vars, ...h.vars } })), count);
  const shell = sshNodeShell([head, ...workers]);
  const names = workers.map((w, i) => ({ host: w.name, id: String(w.vars.resops_worker ?? `worker${i + 1}`) }));
  const runWorkers = names.slice(0, count).map((n) => ({ id: n.id, container: n.host }));
  const metrics = async (lifetimeMs: number) => {
    if (!course.monitoring.enabled) return undefined;
    const tunnel = await sshTunnel(head, [MONITORING_PORTS.pushgateway, MONITORING_PORTS.gnocchi], lifetimeMs);
    const [pushgateway, gnocchi] = tunnel.localPorts;
    return { endpoints: { pushgateway: `http://127.0.0.1:${pushgateway}`, gnocchi: `http://127.0.0.1:${gnocchi}` }, close: () => tunnel.close() };
  };

  let partition: { resume(): Promise<void> } | undefined;
  let forgetCredential: (() => Promise<void>) | undefined;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await partition?.resume().catch(() => undefined);
    await forgetCredential?.().catch((error: Error) => progress.step(`could not delete the run's EC2 credential (the next run tries again): ${error.message}`));
  };
  try {
    let objects: Pick<EngineCluster, 'swift' | 'objectEnv' | 'dataDir'> = {};
    if (storage === 'volume') {
      const source = await checkShare(shell, course, head.name, runWorkers.map((w) => w.container), run);
      progress.step(`shared directory: ${source} at ${DATA_DIR} on ${head.name} and ${count === 1 ? 'the worker' : `all ${count} workers`}`);
    } else {
      const bucket = typeof inventory.vars.resops_pipeline_container === 'string' ? inventory.vars.resops_pipeline_container : undefined;
      if (!bucket) throw new TargetError(`course ${course.id}: the pipeline stack has no \`container\` output (its Swift container)`, `deploy it: \`resops up ${course.file}\``);
      const cloudName = courseCloudName(course);
      const client: OpenStackClient = await askCloud(cloudName, 'connecting', () => connectCourseCloud(cloudName, course.cloud.region));
      const endpoint = s3EndpointForServers(course, () => serversEndpoints(course, client.session));
      const userId = client.session.userId;
      if (client.session.config.auth.type === 'application_credential') {
        throw new TargetError(
          `--storage object: a cloud-native run makes an EC2 credential for itself, and Keystone does not let an application credential (cloud "${cloudName}") make one`,
          'run it with a password credential of a member of the course\'s project (the one Terraform uses, as the instructor does), or use --storage volume',
          2,
        );
      }
      const made = await askCloud(cloudName, 'making an EC2 credential for the run', () => runCredential(client.identity, ledgerFile(course), userId, client.projectId, run));
      forgetCredential = made.forget;
      if (made.deletedLeftovers) progress.step(`deleted ${made.deletedLeftovers} EC2 credential${made.deletedLeftovers === 1 ? '' : 's'} left by runs that did not finish`);
      progress.step(`object storage: bucket ${bucket} through the S3 API at ${endpoint}, with an EC2 credential made for this run`);
      const s3 = { RESOPS_S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: made.credential.access, AWS_SECRET_ACCESS_KEY: made.credential.secret };
      await checkBucket(shell, head.name, bucket, s3);
      objects = { swift: { store: client.objectStore, container: bucket }, objectEnv: { s3 }, ...(deploysStorage(course.pipeline, 'volume') ? { dataDir: NODE_LOCAL_RUNS_DIR } : {}) };
    }
    partition = await partitionForRun(shell, head.name, names.map((n) => n.id), count, progress);
    return { cluster: { head: head.name, workers: runWorkers, ...objects }, shell, release, metrics };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Lift-and-shift needs one directory at DATA_DIR on the head and every worker of the run: each
 * must have the share mounted (sshfs, from the same source), and a file the head writes must be
 * read back, byte for byte, on every worker, which no local directory of the same name passes.
 * The share's source (`user@address:path`).
 */
export async function checkShare(shell: NodeShell, course: Pick<Course, 'file'>, head: string, workers: string[], run: string): Promise<string> {
  const fix = `run \`resops configure ${course.file}\`: it mounts the shared directory (role pipeline_share) on the monitoring host and every worker, in one play with the first worker, which holds the volume`;
  const sources = new Map<string, string>();
  for (const node of [head, ...workers]) {
    const found = await shell.run(node, ['findmnt', '--noheadings', '--output', 'FSTYPE,SOURCE', '--mountpoint', DATA_DIR], { timeoutMs: 30_000 });
    const [fstype, source] = found.stdout.trim().split(/\s+/);
    if (found.code !== 0 || fstype !== 'fuse.sshfs' || !source) {
      throw new TargetError(`${node}: ${DATA_DIR} is not the pipeline's shared directory (${found.code !== 0 ? 'nothing is mounted there' : `${fstype} ${source ?? ''}`.trim()})`, fix);
    }
    sources.set(node, source);
  }
  const expected = sources.get(head)!;
  const other = [...sources].find(([, source]) => source !== expected);
  if (other) throw new TargetError(`${other[0]}: ${DATA_DIR} is ${other[1]}, not ${expected} as on ${head}`, fix);

  const marker = `${DATA_DIR}/.resops-share-check-${run}`;
  const token = randomUUID();
  const wrote = await shell.run(head, ['sh', '-c', `printf %s ${shellQuote(token)} > ${shellQuote(marker)}`], { timeoutMs: 30_000 });
  if (wrote.code !== 0) throw new TargetError(`${head}: cannot write to the shared directory ${DATA_DIR}: ${wrote.stderr.trim().slice(-300)}`, fix);
  try {
    for (const node of workers) {
      const read = await shell.run(node, ['cat', marker], { timeoutMs: 30_000 });
      if (read.code !== 0 || read.stdout !== token) {
        throw new TargetError(`${node}: a file ${head} wrote to ${DATA_DIR} is ${read.code !== 0 ? 'missing' : 'different'} here, so ${DATA_DIR} is not the same directory`, fix);
      }
    }
  } finally {
    await shell.run(head, ['rm', '-f', marker], { timeoutMs: 30_000 }).catch(() => undefined);
  }
  return expected;
}

/**
 * Makes Slurm's partition the run's first `count` nodes: the others are drained for the run (those
 * already drained or down are left as they are), and a node a run of this toolkit drained and
 * never resumed (it was killed) comes back. `resume` gives back exactly the nodes drained here.
 */
export async function partitionForRun(shell: NodeShell, head: string, nodes: string[], count: number, progress: Progress): Promise<{ drained: string[]; resume(): Promise<void> }> {
  const stateOf = async (node: string) => (await shell.run(head, ['sinfo', '--noheader', '--Node', `--nodes=${node}`, '--format=%T %E'])).stdout.trim();
  const update = (node: string, ...settings: string[]) => shell.run(head, ['scontrol', 'update', `NodeName=${node}`, ...settings]);
  for (const node of nodes.slice(0, count)) {
    const state = await stateOf(node);
    if (/^drain/.test(state) && state.includes(DRAIN_REASON)) await update(node, 'State=RESUME');
  }
  const drained: string[] = [];
  const resume = async () => {
    for (const node of drained) await update(node, 'State=RESUME');
  };
  for (const node of nodes.slice(count)) {
    if (/^(drain|down|fail)/.test(await stateOf(node))) continue;
    const result = await update(node, 'State=DRAIN', `Reason=${DRAIN_REASON} with ${count} worker${count === 1 ? '' : 's'}`);
    if (result.code !== 0) {
      await resume();
      throw new TargetError(`draining ${node} on ${head}: ${(result.stderr || result.stdout).trim()}`);
    }
    drained.push(node);
    progress.step(`slurm node ${node}: drained for this run (the run has ${count} worker${count === 1 ? '' : 's'})`);
  }
  return { drained, resume };
}

/** What a run writes as the reason of the nodes it drains, and recognises afterwards. */
const DRAIN_REASON = 'resops run';

/** The head reaches the bucket through S3 with the run's keys, or the run stops before Snakemake. */
async function checkBucket(shell: NodeShell, head: string, bucket: string, s3: Record<string, string>): Promise<void> {
  const script = [
    ...s3ClientLines({ readTimeoutS: 20, attempts: 2 }),
    `c.head_bucket(Bucket=${JSON.stringify(bucket)})`,
  ].join('\n');
  const result = await shell.run(head, ['python3', '-c', script], { env: s3, timeoutMs: 90_000 });
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n').at(-1) ?? `exit ${result.code}`;
    throw new TargetError(`${head} cannot reach bucket ${bucket} through the S3 API at ${s3.RESOPS_S3_ENDPOINT}: ${why}`, `check the endpoint (cloud.s3_endpoint) and that the object store offers S3 (Swift's s3api with s3token): ${shell.howTo(head, `curl -sI ${shellQuote(s3.RESOPS_S3_ENDPOINT ?? '')}`)}`);
  }
}
