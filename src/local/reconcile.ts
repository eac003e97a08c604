/**
 * Converges Docker to a course's layout: what exists and matches is left alone, what differs is
 * recreated, what is missing is created, what the course no longer has is removed. Every object
 * carries a hash of what it was created from (label `resops.spec-hash`), so "matches" is a label
 * comparison, and an `up` interrupted at any point converges when run again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type Docker from 'dockerode';
import { gnocchiUsers } from '../access/gnocchi-users.js';
import { adminAccess } from '../access/admin-access.js';
import { LABELS, type Course } from '../course/model.js';
import { runInContainer } from '../process/run-in-container.js';
import { TargetError } from '../targets/driver.js';
import { dockerCall, isNotFound, LOCAL_LABELS, statusCode } from './docker.js';
import { imageTag, type ImageName } from './images.js';
import { localLayout, serviceContainerName, type ContainerSpec, type LocalLayout, type LocalRole, type NetworkSpec } from './layout.js';
import { serviceFiles, type ServiceFiles } from './monitoring-files.js';
import type { Progress } from './progress.js';
import { packTar, unpackTar } from './tar.js';

/**
 * Roles whose objects `up` owns: labelled with the course and one of these, but not in the layout,
 * means stale. Not `worker`/`storage`: src/pipeline owns those (`up` and every pipeline run ask it
 * for them; see workerContainers in layout.ts); `down` removes them with everything else.
 */
const MANAGED_ROLES: readonly LocalRole[] = ['learner', 'monitoring'];

export type ChangeAction = 'create' | 'recreate' | 'start' | 'remove' | 'update';

export interface Change {
  /** `network t-alice`, `container t-alice-vm1`. */
  object: string;
  action: ChangeAction;
  why?: string;
}

export interface CourseObjects {
  containers: Docker.ContainerInfo[];
  networks: Docker.NetworkInspectInfo[];
}

export async function listCourseObjects(docker: Docker, courseId: string): Promise<CourseObjects> {
  const filters = { label: [`${LABELS.course}=${courseId}`] };
  const [containers, networks] = await Promise.all([
    dockerCall('listing containers', () => docker.listContainers({ all: true, filters })),
    dockerCall('listing networks', () => docker.listNetworks({ filters })),
  ]);
  return { containers, networks };
}

export const containerName = (info: Docker.ContainerInfo) => (info.Names[0] ?? '').replace(/^\//, '');

/**
 * The course's layout with its secrets: the indexer password is read back from the existing
 * postgres container (so a second `up` changes nothing) or made up for a new one; Gnocchi's users
 * come from the state directory (src/access/gnocchi-users.ts).
 */
export async function resolveLayout(docker: Docker, course: Course, existing: CourseObjects): Promise<LocalLayout> {
  const postgres = existing.containers.find((c) => containerName(c) === serviceContainerName(course, 'postgres'));
  let dbPassword: string | undefined;
  if (postgres) {
    const info = await dockerCall('inspecting the postgres container', () => docker.getContainer(postgres.Id).inspect());
    dbPassword = (info.Config.Env ?? []).find((e) => e.startsWith('GNOCCHI_DB_PASSWORD='))?.slice('GNOCCHI_DB_PASSWORD='.length);
  }
  try {
    const { user, publicKey } = adminAccess(course);
    const gnocchi = course.monitoring.enabled ? { gnocchiUsers: gnocchiUsers(course) } : {};
    return localLayout(course, { dbPassword: dbPassword || randomBytes(18).toString('hex'), admin: { user, publicKey }, ...gnocchi });
  } catch (error) {
    if (error instanceof RangeError) throw new TargetError(`${course.file}: ${error.message}`, 'check network.cidr and network.subnet_prefix');
    throw error;
  }
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

function labelsFor(course: Course, role: LocalRole, learner?: string): Record<string, string> {
  return { [LABELS.course]: course.id, [LABELS.role]: role, ...(learner ? { [LABELS.learner]: learner } : {}) };
}

export function networkCreateOptions(course: Course, spec: NetworkSpec): Docker.NetworkCreateOptions {
  const base = {
    Name: spec.name,
    Driver: 'bridge',
    Internal: spec.internal,
    CheckDuplicate: true,
    ...(spec.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet }] } } : {}),
  };
  const labels = labelsFor(course, spec.role, spec.learner);
  return { ...base, Labels: { ...labels, [LOCAL_LABELS.specHash]: hash({ ...base, labels }) } };
}

export function containerCreateOptions(course: Course, spec: ContainerSpec, imageId: string): Docker.ContainerCreateOptions {
  const [primary] = spec.attachments;
  if (!primary) throw new Error(`container ${spec.name} has no network`);
  const endpoint = (a: (typeof spec.attachments)[number]) => ({
    ...(a.ipv4 ? { IPAMConfig: { IPv4Address: a.ipv4 } } : {}),
    Aliases: a.aliases,
  });
  const base = {
    name: spec.name,
    Image: imageTag(spec.image),
    Hostname: spec.hostname,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    ExposedPorts: Object.fromEntries(spec.ports.map((p) => [`${p.containerPort}/tcp`, {}])),
    HostConfig: {
      PortBindings: Object.fromEntries(spec.ports.map((p) => [`${p.containerPort}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(p.hostPort) }]])),
      RestartPolicy: { Name: 'unless-stopped' },
      CapDrop: spec.capDrop,
      ...(spec.tmpfs ? { Tmpfs: spec.tmpfs } : {}),
      // Containers on two networks must never route between them (defense in depth: nobody in
      // a VM has NET_ADMIN to point a route at them anyway).
      Sysctls: { 'net.ipv4.ip_forward': '0' },
      NetworkMode: primary.network,
    },
    NetworkingConfig: { EndpointsConfig: { [primary.network]: endpoint(primary) } },
  };
  const labels = labelsFor(course, spec.role, spec.learner?.id);
  // Later attachments are made with network.connect, so they are hashed but not in `base`.
  const specHash = hash({ base, labels, imageId, more: spec.attachments.slice(1) });
  return { ...base, Labels: { ...labels, [LOCAL_LABELS.specHash]: specHash } };
}

type ContainerAction = 'keep' | 'create' | 'recreate' | 'start';

/** What a plan may change: everything, or one learner's machines (and the shared parts only where missing). */
export interface PlanScope {
  learner?: string;
}

export interface LocalPlan {
  layout: LocalLayout;
  staleContainers: Docker.ContainerInfo[];
  staleNetworks: Docker.NetworkInspectInfo[];
  networks: Array<{ spec: NetworkSpec; action: 'keep' | 'create' | 'recreate'; existing?: Docker.NetworkInspectInfo; options: Docker.NetworkCreateOptions }>;
  containers: Array<{ spec: ContainerSpec; action: ContainerAction; existing?: Docker.ContainerInfo; options: Docker.ContainerCreateOptions; why?: string }>;
}

/** What `up` would do, from the layout and what exists; changes nothing. */
export function planChanges(course: Course, layout: LocalLayout, existing: CourseObjects, imageIds: ReadonlyMap<ImageName, string>, scope: PlanScope = {}): LocalPlan {
  const ownedByScope = (labels: Record<string, string> | undefined) => scope.learner === undefined || labels?.[LABELS.learner] === scope.learner;
  const managed = (labels: Record<string, string> | undefined) => MANAGED_ROLES.includes((labels?.[LABELS.role] ?? '') as LocalRole) && ownedByScope(labels);
  // With a learner scope, what is not theirs (the shared parts, other learners) is only created
  // when missing, never recreated, restarted or removed.
  const mayChange = (learner: string | undefined) => scope.learner === undefined || learner === scope.learner;
  const inScope = (learner: string | undefined) => mayChange(learner) || learner === undefined;
  const wantedNetworks = new Set(layout.networks.map((n) => n.name));
  const wantedContainers = new Set(layout.containers.map((c) => c.name));

  const networks: LocalPlan['networks'] = layout.networks.filter((spec) => inScope(spec.learner)).map((spec) => {
    const options = networkCreateOptions(course, spec);
    const found = existing.networks.find((n) => n.Name === spec.name);
    if (!found) return { spec, action: 'create', options };
    const same = found.Labels?.[LOCAL_LABELS.specHash] === options.Labels?.[LOCAL_LABELS.specHash];
    return { spec, action: same || !mayChange(spec.learner) ? 'keep' : 'recreate', existing: found, options };
  });
  const recreatedNetworks = new Set(networks.filter((n) => n.action === 'recreate').map((n) => n.spec.name));

  const containers: LocalPlan['containers'] = layout.containers.filter((spec) => inScope(spec.learner?.id)).map((spec) => {
    const options = containerCreateOptions(course, spec, imageIds.get(spec.image) ?? `unbuilt ${spec.image}`);
    const found = existing.containers.find((c) => containerName(c) === spec.name);
    if (!found) return { spec, action: 'create', options };
    if (!mayChange(spec.learner?.id)) return { spec, action: 'keep', existing: found, options };
    if (found.Labels?.[LOCAL_LABELS.specHash] !== options.Labels?.[LOCAL_LABELS.specHash]) {
      return { spec, action: 'recreate', existing: found, options, why: 'image or settings changed' };
    }
    if (spec.attachments.some((a) => recreatedNetworks.has(a.network))) {
      return { spec, action: 'recreate', existing: found, options, why: 'its network is recreated' };
    }
    // `restarting`: Docker's restart policy is already on it; starting it again would fail.
    const up = found.State === 'running' || found.State === 'restarting';
    return { spec, action: up ? 'keep' : 'start', existing: found, options };
  });

  return {
    layout,
    staleContainers: existing.containers.filter((c) => managed(c.Labels) && !wantedContainers.has(containerName(c))),
    staleNetworks: existing.networks.filter((n) => managed(n.Labels) && !wantedNetworks.has(n.Name)),
    networks,
    containers,
  };
}

/** The changes a plan makes, in the order `up` makes them (also what `plan` prints). */
export function describePlan(plan: LocalPlan): Change[] {
  return [
    ...plan.staleContainers.map((c) => ({ object: `container ${containerName(c)}`, action: 'remove' as const, why: 'no longer in the course' })),
    ...plan.staleNetworks.map((n) => ({ object: `network ${n.Name}`, action: 'remove' as const, why: 'no longer in the course' })),
    ...plan.networks.filter((n) => n.action !== 'keep').map((n) => ({ object: `network ${n.spec.name}`, action: n.action as ChangeAction, ...(n.action === 'recreate' ? { why: 'settings changed' } : {}) })),
    ...plan.containers.filter((c) => c.action !== 'keep').map((c) => ({ object: `container ${c.spec.name}`, action: c.action as ChangeAction, ...(c.why ? { why: c.why } : {}) })),
  ];
}

/** Host ports the plan will bind that something other than this course holds. */
async function busyPorts(docker: Docker, plan: LocalPlan, existing: CourseObjects): Promise<string[]> {
  const ours = new Set(existing.containers.flatMap((c) => c.Ports.map((p) => p.PublicPort)).filter(Boolean));
  const toBind = plan.containers.filter((c) => c.action !== 'keep').flatMap((c) => c.spec.ports);
  const busy: string[] = [];
  for (const port of toBind) {
    if (ours.has(port.hostPort) || (await portFree(port.hostPort))) continue;
    const holder = await portHolder(docker, port.hostPort);
    busy.push(`127.0.0.1:${port.hostPort} (${port.what}) is taken by ${holder ?? 'another program'}`);
  }
  return busy;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function portHolder(docker: Docker, port: number): Promise<string | undefined> {
  const running = await docker.listContainers().catch(() => [] as Docker.ContainerInfo[]);
  const holder = running.find((c) => c.Ports.some((p) => p.PublicPort === port));
  if (!holder) return undefined;
  const course = holder.Labels?.[LABELS.course];
  return `Docker container ${containerName(holder)}${course ? ` (course ${course})` : ''}`;
}

async function removeContainer(docker: Docker, id: string, name: string): Promise<void> {
  await dockerCall(`removing container ${name}`, async () => {
    try {
      await docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      // Gone already, or already being removed by another run: either way it will not be there.
      if (!isNotFound(error) && statusCode(error) !== 409) throw error;
    }
  });
}

async function removeNetwork(docker: Docker, id: string, name: string): Promise<void> {
  await dockerCall(
    `removing network ${name}`,
    async () => {
      try {
        await docker.getNetwork(id).remove();
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    `a container that is not part of the course is attached to ${name}: \`docker network inspect ${name}\` shows it; disconnect it and run the command again`,
  );
}

/** Applies a plan; returns what changed. Progress names each object as it is done. */
export async function applyPlan(docker: Docker, course: Course, plan: LocalPlan, existing: CourseObjects, progress: Progress): Promise<Change[]> {
  const busy = await busyPorts(docker, plan, existing);
  if (busy.length) {
    throw new TargetError(
      `cannot publish the lab's ports:\n  ${busy.join('\n  ')}`,
      'stop what holds them, or change local.ssh_port_base / local.ports in the course file',
    );
  }
  const changes: Change[] = [];
  const done = (change: Change) => {
    changes.push(change);
    progress.step(`${change.object}: ${PAST[change.action]}${change.why ? ` (${change.why})` : ''}`);
  };

  const removals = [
    ...plan.staleContainers.map((c) => ({ id: c.Id, name: containerName(c), stale: true })),
    ...plan.containers.filter((c) => c.action === 'recreate' && c.existing).map((c) => ({ id: c.existing!.Id, name: c.spec.name, stale: false })),
  ];
  await Promise.all(
    removals.map(async (r) => {
      await removeContainer(docker, r.id, r.name);
      if (r.stale) done({ object: `container ${r.name}`, action: 'remove', why: 'no longer in the course' });
    }),
  );
  const networkRemovals = [
    ...plan.staleNetworks.map((n) => ({ id: n.Id, name: n.Name, stale: true })),
    ...plan.networks.filter((n) => n.action === 'recreate' && n.existing).map((n) => ({ id: n.existing!.Id, name: n.spec.name, stale: false })),
  ];
  for (const r of networkRemovals) {
    await removeNetwork(docker, r.id, r.name);
    if (r.stale) done({ object: `network ${r.name}`, action: 'remove', why: 'no longer in the course' });
  }

  const networkIds = new Map<string, string>(plan.networks.filter((n) => n.action === 'keep').map((n) => [n.spec.name, n.existing!.Id]));
  await Promise.all(
    plan.networks
      .filter((n) => n.action !== 'keep')
      .map(async (n) => {
        const network = await dockerCall(`creating network ${n.spec.name}${n.spec.subnet ? ` (${n.spec.subnet})` : ''}`, () => docker.createNetwork(n.options));
        networkIds.set(n.spec.name, network.id);
        done({ object: `network ${n.spec.name}`, action: n.action === 'recreate' ? 'recreate' : 'create', ...(n.action === 'recreate' ? { why: 'settings changed' } : {}) });
      }),
  );

  // allSettled: one failing container must not leave the others half-done behind the error.
  const results = await Promise.allSettled(
    plan.containers.map(async (entry) => {
      const files = entry.spec.service === 'vm' ? undefined : serviceFiles(course, entry.spec.service);
      if (entry.action === 'keep') {
        const synced = files ? await syncFiles(docker, docker.getContainer(entry.existing!.Id), entry.spec.name, files, true) : [];
        if (synced.length) done({ object: `container ${entry.spec.name}`, action: 'update', why: `configuration files changed (${synced.join(', ')}), reloaded` });
        return;
      }
      let container: Docker.Container;
      if (entry.action === 'start') {
        container = docker.getContainer(entry.existing!.Id);
        await connectMissing(docker, entry.spec, entry.existing!, networkIds);
      } else {
        container = await dockerCall(`creating container ${entry.spec.name}`, () => docker.createContainer(entry.options));
        for (const attachment of entry.spec.attachments.slice(1)) {
          await connect(docker, container.id, entry.spec.name, attachment, networkIds);
        }
      }
      if (files) await syncFiles(docker, container, entry.spec.name, files, false);
      await dockerCall(`starting container ${entry.spec.name}`, () => container.start());
      done({ object: `container ${entry.spec.name}`, action: entry.action, ...(entry.why ? { why: entry.why } : {}) });
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return changes;
}

const PAST: Record<ChangeAction, string> = { create: 'created', recreate: 'recreated', start: 'started', remove: 'removed', update: 'updated' };

async function connect(docker: Docker, containerId: string, name: string, attachment: ContainerSpec['attachments'][number], networkIds: Map<string, string>): Promise<void> {
  const networkId = networkIds.get(attachment.network) ?? attachment.network;
  await dockerCall(`connecting ${name} to network ${attachment.network}`, () =>
    docker.getNetwork(networkId).connect({
      Container: containerId,
      EndpointConfig: { ...(attachment.ipv4 ? { IPAMConfig: { IPv4Address: attachment.ipv4 } } : {}), Aliases: attachment.aliases },
    }),
  );
}

/** A stopped container interrupted between create and its last network connect gets the rest. */
async function connectMissing(docker: Docker, spec: ContainerSpec, existing: Docker.ContainerInfo, networkIds: Map<string, string>): Promise<void> {
  const attached = new Set(Object.keys(existing.NetworkSettings?.Networks ?? {}));
  for (const attachment of spec.attachments) {
    if (!attached.has(attachment.network)) await connect(docker, existing.Id, spec.name, attachment, networkIds);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Files under `root` in the container, relative to root (getArchive prefixes root's basename). */
async function containerFiles(container: Docker.Container, root: string): Promise<Map<string, Buffer>> {
  try {
    const archive = await readStream(await container.getArchive({ path: root }));
    const files = new Map<string, Buffer>();
    for (const [path, content] of unpackTar(archive)) files.set(path.split('/').slice(1).join('/'), content);
    return files;
  } catch (error) {
    if (isNotFound(error)) return new Map();
    throw error;
  }
}

/** Directories whose every file the driver owns (a file no longer in monitoring/ is deleted). */
const OWNED_DIRS = ['rules/'];

/**
 * Makes the files under `root` what they should be; when the container runs and something
 * changed, the service reloads. Returns the files it wrote or removed.
 */
export async function syncFiles(docker: Docker, container: Docker.Container, name: string, files: ServiceFiles, running: boolean): Promise<string[]> {
  return dockerCall(`copying configuration into ${name}`, async () => {
    const current = await containerFiles(container, files.root);
    const changed = files.files.filter((f) => !current.get(f.path)?.equals(Buffer.from(f.content)));
    const wanted = new Set(files.files.map((f) => f.path));
    const extra = [...current.keys()].filter((path) => OWNED_DIRS.some((dir) => path.startsWith(dir)) && !wanted.has(path));
    if (changed.length) await container.putArchive(packTar(changed), { path: files.root });
    if (running && extra.length) await execAsRoot(docker, container, name, ['rm', '-f', ...extra.map((path) => `${files.root}/${path}`)]);
    if (running && (changed.length || extra.length)) await container.kill({ signal: files.reload });
    return [...changed.map((f) => f.path), ...(running ? extra : [])];
  });
}

async function execAsRoot(docker: Docker, container: Docker.Container, name: string, cmd: string[]): Promise<void> {
  await runInContainer(docker, container, name, cmd, { user: 'root', timeoutMs: 60_000 });
}
