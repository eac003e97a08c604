import { clientFor, type CloudRef, type OpenStackClient } from './client.js';
import { OpenStackApiError } from './errors.js';
import { deleteIdentityLeftover, findIdentityLeftovers, type IdentityLeftover, type IdentityLeftoverKind } from './identity-leftovers.js';
import { belongsToCourse, courseLabel, type MatchedBy } from './ownership.js';
import type { Server } from './compute.js';
import type { FloatingIp, Port, SecurityGroup } from './network.js';
import type { Volume } from './volume.js';

/**
 * The leak check run after `terraform destroy`: everything in the project that carries the
 * course's label or name prefix, what Keystone holds of the course (learners' users, their
 * credentials and role assignments, the discovery credential), and the sweep that deletes it all
 * in dependency order.
 */

export type LeftoverKind =
  | 'server'
  | 'floating-ip'
  | 'router'
  | 'port'
  | 'subnet'
  | 'network'
  | 'security-group'
  | 'volume'
  | 'keypair'
  | 'container'
  | IdentityLeftoverKind;

/** Dependency order of a sweep: what uses something goes before it. */
export const SWEEP_ORDER: readonly LeftoverKind[] = [
  'server',
  'floating-ip',
  'router',
  'port',
  'subnet',
  'network',
  'security-group',
  'volume',
  'keypair',
  'container',
  // A user's deletion would take these with it; deleting them first shows each one gone.
  'application-credential',
  'role-assignment',
  'user',
  // Last: Keystone deletes a project without what is in it, so it goes once its lab is gone.
  'project',
];

export interface Leftover {
  kind: LeftoverKind;
  /** Id in the cloud (the name for keypairs and Swift containers, which have no id). */
  id: string;
  name: string;
  /** `label`: metadata or tag `resops-course=<id>`; `name`: the `<id>-` prefix only. */
  matchedBy: MatchedBy;
  /** Status or address, for the listing. */
  detail?: string;
}

interface Candidate {
  kind: LeftoverKind;
  id: string;
  name: string;
  label: string | undefined;
  detail?: string;
}

async function candidates(client: OpenStackClient): Promise<Candidate[]> {
  const hasVolume = client.session.hasService('volume');
  const hasSwift = client.session.hasService('object-store');
  const [servers, floatingIps, routers, ports, subnets, networks, groups, volumes, keypairs, containers] = await Promise.all([
    client.compute.listServers(),
    client.network.listFloatingIps(),
    client.network.listRouters(),
    client.network.listPorts(),
    client.network.listSubnets(),
    client.network.listNetworks(),
    client.network.listSecurityGroups(),
    hasVolume ? client.volume.listVolumes() : Promise.resolve([]),
    client.compute.listKeypairs(),
    hasSwift ? client.objectStore.listContainers() : Promise.resolve([]),
  ]);
  return [
    ...projectResources({ servers, floatingIps, ports, groups, volumes }),
    ...routers.map((r) => ({ kind: 'router' as const, id: r.id, name: r.name, label: courseLabel(r) })),
    ...subnets.map((s) => ({ kind: 'subnet' as const, id: s.id, name: s.name, label: courseLabel(s), detail: s.cidr })),
    ...networks.map((n) => ({ kind: 'network' as const, id: n.id, name: n.name, label: courseLabel(n) })),
    ...keypairs.map((k) => ({ kind: 'keypair' as const, id: k.name, name: k.name, label: undefined })),
    ...containers.map((c) => ({ kind: 'container' as const, id: c.name, name: c.name, label: courseLabel(c), detail: `${c.count} objects` })),
  ];
}

/** The kinds both the caller's project and a learner's hold, as candidates. */
function projectResources(lists: ProjectHoldings): Candidate[] {
  return [
    ...lists.servers.map((s) => ({ kind: 'server' as const, id: s.id, name: s.name, label: courseLabel(s), detail: s.status })),
    // Floating IPs have no name: the description (Terraform sets the VM name there) stands in.
    ...lists.floatingIps.map((f) => ({ kind: 'floating-ip' as const, id: f.id, name: f.description ?? '', label: courseLabel(f), detail: f.floating_ip_address })),
    // Ports Neutron made for routers, DHCP and floating IPs go with their owner.
    ...lists.ports
      .filter((p) => !p.device_owner.startsWith('network:'))
      .map((p) => ({ kind: 'port' as const, id: p.id, name: p.name, label: courseLabel(p), detail: p.fixed_ips.map((i) => i.ip_address).join(' ') })),
    ...lists.groups.map((g) => ({ kind: 'security-group' as const, id: g.id, name: g.name, label: courseLabel(g) })),
    ...lists.volumes.map((v) => ({ kind: 'volume' as const, id: v.id, name: v.name ?? '', label: courseLabel(v), detail: `${v.size} GB ${v.status}` })),
  ];
}

/** What a project holds that a lab can leave: servers, floating IPs, ports, security groups, volumes. */
export interface ProjectHoldings {
  servers: Server[];
  floatingIps: FloatingIp[];
  ports: Port[];
  groups: SecurityGroup[];
  volumes: Volume[];
}

/** Another project's holdings (project-per-learner: a learner's), listed by an administrator. */
export async function listProjectHoldings(client: OpenStackClient, projectId: string): Promise<ProjectHoldings> {
  const scope = { project_id: projectId };
  const hasVolume = client.session.hasService('volume');
  const [servers, floatingIps, ports, groups, volumes] = await Promise.all([
    client.compute.listServers({ all_tenants: '1', ...scope }),
    client.network.listFloatingIps(scope),
    client.network.listPorts(scope),
    client.network.listSecurityGroups(scope),
    hasVolume ? client.volume.listVolumes({ all_tenants: '1', ...scope }) : Promise.resolve([]),
  ]);
  return { servers, floatingIps, ports, groups, volumes };
}

async function projectCandidates(client: OpenStackClient, projectId: string): Promise<Candidate[]> {
  return projectResources(await listProjectHoldings(client, projectId));
}

/** A learner user's keypairs: keypairs belong to users, and outlive a deleted user in Nova. */
async function userKeypairs(client: OpenStackClient, userId: string): Promise<Candidate[]> {
  const keypairs = await client.compute.listKeypairs(userId).catch((error: unknown) => {
    // Only an administrator may list another user's keypairs: without the role there were no such users to make.
    if (error instanceof OpenStackApiError && (error.status === 403 || error.status === 401)) return [];
    throw error;
  });
  return keypairs.map((k) => ({ kind: 'keypair' as const, id: `${userId}/${k.name}`, name: k.name, label: undefined }));
}

/**
 * Everything of the course left in the project: servers, floating IPs, routers, ports, subnets,
 * networks, security groups, volumes, keypairs, Swift containers and, in Keystone, its
 * credentials, role assignments and users, in sweep order.
 */
export async function findLeftovers(cloud: CloudRef, courseId: string): Promise<Leftover[]> {
  const client = await clientFor(cloud);
  const [own, identity] = await Promise.all([candidates(client), findIdentityLeftovers(client, courseId)]);
  // Project-per-learner: what the course's learners' projects and users still hold (an admin lists them).
  const theirs = await Promise.all([
    ...identity.filter((l) => l.kind === 'project').map((p) => projectCandidates(client, p.id)),
    ...identity.filter((l) => l.kind === 'user').map((u) => userKeypairs(client, u.id)),
  ]);
  const all = [...own, ...theirs.flat()];
  const known = new Set(all.map((c) => c.label).filter((l): l is string => l !== undefined));
  const found: Leftover[] = [...identity];
  for (const c of all) {
    const matchedBy = belongsToCourse(courseId, c.name, c.label, known);
    if (matchedBy) found.push({ kind: c.kind, id: c.id, name: c.name, matchedBy, ...(c.detail ? { detail: c.detail } : {}) });
  }
  return found.sort((a, b) => SWEEP_ORDER.indexOf(a.kind) - SWEEP_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name));
}

export interface SweepOptions {
  /** Sweep these (e.g. the list the user was shown) instead of looking again. */
  leftovers?: Leftover[];
  /** One line per step, for progress output. */
  onProgress?: (message: string) => void;
  /** Upper bound for waiting on servers and volumes to disappear (default 180 s). */
  waitMs?: number;
}

export interface SweepResult {
  deleted: Leftover[];
  failed: Array<{ leftover: Leftover; error: string }>;
  /** What findLeftovers still sees afterwards (empty when the sweep was complete). */
  remaining: Leftover[];
}

/** Deletes the course's leftovers in dependency order and reports what it could not delete. */
export async function sweepLeftovers(cloud: CloudRef, courseId: string, options: SweepOptions = {}): Promise<SweepResult> {
  const client = await clientFor(cloud);
  const leftovers = options.leftovers ?? (await findLeftovers(client, courseId));
  const progress = options.onProgress ?? (() => undefined);
  const waitMs = options.waitMs ?? 180_000;
  const deleted: Leftover[] = [];
  const failed: SweepResult['failed'] = [];
  const ofKind = (kind: LeftoverKind) => leftovers.filter((l) => l.kind === kind);

  const attempt = async (leftover: Leftover, action: () => Promise<unknown>) => {
    try {
      await action();
      deleted.push(leftover);
      progress(`deleted ${leftover.kind} ${leftover.name || leftover.id}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failed.push({ leftover, error: message });
      progress(`could not delete ${leftover.kind} ${leftover.name || leftover.id}: ${message}`);
    }
  };

  // Servers first: they hold ports, floating IPs and volume attachments.
  const servers = ofKind('server');
  for (const server of servers) await attempt(server, () => client.compute.deleteServer(server.id));
  if (servers.length > 0) {
    progress(`waiting for ${servers.length} server(s) to be gone`);
    // One by one: a learner's project's servers (project-per-learner) are not in the caller's list.
    await waitUntil(waitMs, async () => {
      const still = await Promise.all(servers.map((s) => client.compute.getServer(s.id)));
      return still.every((server) => server === undefined || server.status === 'DELETED');
    }, () => `servers still present after ${waitMs / 1000} s`).catch((error: Error) => progress(error.message));
  }

  for (const ip of ofKind('floating-ip')) await attempt(ip, () => client.network.delete('floatingips', ip.id));

  const routers = ofKind('router');
  if (routers.length > 0) {
    const ports = await client.network.listPorts();
    for (const router of routers) {
      await attempt(router, async () => {
        await client.network.setRouterGateway(router.id, null);
        for (const port of ports.filter((p) => p.device_id === router.id && p.device_owner.startsWith('network:router_interface'))) {
          await client.network.removeRouterInterface(router.id, port.id);
        }
        await client.network.delete('routers', router.id);
      });
    }
  }

  for (const port of ofKind('port')) await attempt(port, () => client.network.delete('ports', port.id));
  for (const subnet of ofKind('subnet')) await attempt(subnet, () => client.network.delete('subnets', subnet.id));
  for (const network of ofKind('network')) await attempt(network, () => client.network.delete('networks', network.id));
  for (const group of ofKind('security-group')) await attempt(group, () => client.network.delete('security-groups', group.id));

  const volumes = ofKind('volume');
  for (const volume of volumes) {
    await attempt(volume, async () => {
      // A volume detaches asynchronously after its server is deleted; deleting too early is a 400.
      await waitUntil(Math.min(waitMs, 60_000), async () => {
        const current = await client.volume.getVolume(volume.id);
        return !current || !['in-use', 'attaching', 'detaching', 'creating', 'reserved'].includes(current.status);
      }, () => `volume ${volume.name || volume.id} is still attached`);
      await client.volume.deleteVolume(volume.id);
    });
  }
  if (volumes.length > 0) {
    progress(`waiting for ${volumes.length} volume(s) to be gone`);
    await waitUntil(waitMs, async () => {
      const still = await Promise.all(volumes.map((v) => client.volume.getVolume(v.id)));
      return still.every((volume) => volume === undefined || volume.status === 'error_deleting' || volume.status === 'deleted');
    }, () => `volumes still present after ${waitMs / 1000} s`).catch((error: Error) => progress(error.message));
  }

  // `<user id>/<name>`: a learner user's keypair (project-per-learner), deleted on their behalf.
  for (const keypair of ofKind('keypair')) {
    const [owner, name] = keypair.id.includes('/') ? keypair.id.split('/', 2) : [undefined, keypair.name];
    await attempt(keypair, () => client.compute.deleteKeypair(name!, owner));
  }
  for (const container of ofKind('container')) await attempt(container, () => client.objectStore.deleteContainer(container.name));
  for (const kind of ['application-credential', 'role-assignment', 'user', 'project'] as const) {
    for (const leftover of ofKind(kind)) await attempt(leftover, () => deleteIdentityLeftover(client, leftover as IdentityLeftover));
  }

  const remaining = await findLeftovers(client, courseId);
  return { deleted, failed, remaining };
}

/** Polls `done` every second until it is true; throws after `limitMs`. */
async function waitUntil(limitMs: number, done: () => Promise<boolean>, message: () => string): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      if (await done()) return;
    } catch (error) {
      // A 404 while polling means the thing is gone; anything else is worth reporting.
      if (!(error instanceof OpenStackApiError && error.status === 404)) throw error;
      return;
    }
    if (Date.now() >= deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** `server demo-alice-vm1 (ACTIVE) [label]` lines for the CLI. */
export function formatLeftovers(leftovers: Leftover[]): string[] {
  return leftovers.map(
    (l) => `${l.kind.padEnd(14)} ${l.name || '(no name)'}${l.detail ? ` (${l.detail})` : ''}  id ${l.id}  matched by ${matchedByText(l)}`,
  );
}

function matchedByText(leftover: Leftover): string {
  if (leftover.kind === 'application-credential' && leftover.name.startsWith('yours:') && leftover.matchedBy === 'name') return 'its name';
  if (leftover.matchedBy === 'label') return IDENTITY_KINDS.has(leftover.kind) ? 'course label (description)' : 'course label';
  return IDENTITY_KINDS.has(leftover.kind) ? 'name prefix (resops-<course>-)' : 'name prefix';
}

const IDENTITY_KINDS: ReadonlySet<LeftoverKind> = new Set(['application-credential', 'role-assignment', 'user', 'project']);
