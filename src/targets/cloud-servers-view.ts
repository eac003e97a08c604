/**
 * The cloud-side part of `status --target openstack`: the course's servers as the cloud reports
 * them, grouped per learner. Pure functions over listCourseServers' result.
 */
import { formatTable } from '../cli/table.js';
import type { CourseServer } from '../openstack/servers.js';

export interface LearnerServers {
  learner: string;
  /** False for a learner id the cloud knows but the course file no longer lists (a stale VM). */
  inCourse: boolean;
  servers: CourseServer[];
}

/** Servers of no learner (monitoring, pipeline workers), by their `resops-role`. */
export interface SharedServers {
  /** `resops-role` metadata; `unlabelled` for a server matched by its name prefix only. */
  role: string;
  servers: CourseServer[];
}

export interface ServersByOwner {
  learners: LearnerServers[];
  shared: SharedServers[];
}

export const UNLABELLED_ROLE = 'unlabelled';

/**
 * Every learner of the course in roster order, each with its servers (none is worth showing: a
 * learner without a VM), then learners the course file does not list, then the shared servers.
 * With `onlyLearner`, that learner alone and no shared servers.
 */
export function groupServersByLearner(servers: CourseServer[], learnerIds: string[], onlyLearner?: string): ServersByOwner {
  const roster = onlyLearner === undefined ? learnerIds : [onlyLearner];
  const inRoster = new Set(learnerIds);
  const learners: LearnerServers[] = roster.map((learner) => ({
    learner,
    inCourse: inRoster.has(learner),
    servers: servers.filter((s) => s.learner === learner),
  }));
  if (onlyLearner !== undefined) return { learners, shared: [] };

  const stale = [...new Set(servers.map((s) => s.learner).filter((l): l is string => l !== undefined && !inRoster.has(l)))].sort();
  for (const learner of stale) learners.push({ learner, inCourse: false, servers: servers.filter((s) => s.learner === learner) });

  const roles = new Map<string, CourseServer[]>();
  for (const server of servers.filter((s) => s.learner === undefined)) {
    const role = server.role ?? UNLABELLED_ROLE;
    roles.set(role, [...(roles.get(role) ?? []), server]);
  }
  const shared = [...roles.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([role, list]) => ({ role, servers: list }));
  return { learners, shared };
}

/** `net=10.0.1.5 203.0.113.12 (floating)`: fixed addresses first, as the cloud lists them. */
export function formatAddresses(server: CourseServer): string {
  const all = [...server.fixedAddresses, ...server.floatingAddresses.map((a) => `${a} (floating)`)];
  return all.length === 0 ? '(none)' : all.join(' ');
}

/** A table: learner (or `(role)`), server, status (with Nova's fault for ERROR), addresses. */
export function renderServersByOwner(groups: ServersByOwner): string[] {
  const rows: string[][] = [];
  const add = (owner: string, servers: CourseServer[]) => {
    if (servers.length === 0) {
      rows.push([owner, '(no servers)', '', '']);
      return;
    }
    servers.forEach((server, index) => {
      const status = server.fault ? `${server.status}: ${server.fault}` : server.status;
      rows.push([index === 0 ? owner : '', server.name, status, formatAddresses(server)]);
    });
  };
  for (const group of groups.learners) add(group.inCourse ? group.learner : `${group.learner} (not in the course file)`, group.servers);
  for (const group of groups.shared) add(`(${group.role})`, group.servers);
  if (rows.length === 0) return ['no learners and no servers'];
  return formatTable(['learner', 'server', 'status', 'addresses'], rows);
}

/** The JSON of the section: per learner and per shared role, each server without its noise. */
export function serversJson(cloud: string, groups: ServersByOwner): unknown {
  const server = (s: CourseServer) => ({
    name: s.name,
    id: s.id,
    status: s.status,
    ...(s.role !== undefined ? { role: s.role } : {}),
    flavor: s.flavor,
    fixedAddresses: s.fixedAddresses,
    floatingAddresses: s.floatingAddresses,
    ...(s.fault !== undefined ? { fault: s.fault } : {}),
  });
  return {
    cloud,
    learners: groups.learners.map((g) => ({ learner: g.learner, inCourse: g.inCourse, servers: g.servers.map(server) })),
    shared: groups.shared.map((g) => ({ role: g.role, servers: g.servers.map(server) })),
  };
}
