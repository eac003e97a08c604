/**
 * The leak check's Keystone part: the learners' accounts a course made (`resops accounts`: users
 * with their application credentials and role assignments, or application credentials of the
 * instructor's own user), and Prometheus' discovery credential. Nothing in
 * Keystone carries Nova's metadata or Neutron's tags, so the toolkit labels its users in their
 * description (`resops-course=<id>`); a user without one (made before the label) is the course's
 * by its name, `resops-<course>-…`, with the same rule for nested course ids as every other kind.
 *
 * Listing users and role assignments needs Keystone's admin role. A credential without it could
 * not have made any learner account either, so a refusal there means nothing of that kind to find.
 */
import { discoveryCredentialName } from './discovery-credential.js';
import { OpenStackApiError } from './errors.js';
import type { ApplicationCredential, Project, RoleAssignment, User } from './identity.js';
import type { OpenStackClient } from './client.js';
import { belongsToCourse, type MatchedBy } from './ownership.js';

/** The label resops writes into the description of each Keystone user it makes. */
export function identityLabel(courseId: string): string {
  return `resops-course=${courseId}`;
}

const LABEL = /(?:^|\s)resops-course=(\S+)/;
const NAME_PREFIX = 'resops-';

export type IdentityLeftoverKind = 'application-credential' | 'role-assignment' | 'user' | 'project';

export interface IdentityLeftover {
  kind: IdentityLeftoverKind;
  /** user: its id; application-credential: `<user id>/<credential id>`; role-assignment: `<project id>/<user id>/<role id>`. */
  id: string;
  name: string;
  matchedBy: MatchedBy;
  detail?: string;
}

/** Course ids seen on labelled users: what decides `demo` versus `demo-2` for unlabelled names. */
export function identityLabelOf(item: { description?: string | null }): string | undefined {
  return LABEL.exec(item.description ?? '')?.[1];
}

/** How a user belongs to the course, or undefined. The caller's own user never does. */
export function userBelongsToCourse(courseId: string, user: { name: string; description?: string | null }, known: ReadonlySet<string>): MatchedBy | undefined {
  const label = identityLabelOf(user);
  const name = user.name.startsWith(NAME_PREFIX) ? user.name.slice(NAME_PREFIX.length) : undefined;
  return belongsToCourse(courseId, name, label, known);
}

/** The course's users among `users` (one listing of the domain), never `selfId`, with how each matched. */
export function courseUsers(courseId: string, users: User[], selfId: string): Array<{ user: User; matchedBy: MatchedBy }> {
  const known = new Set(users.map(identityLabelOf).filter((l): l is string => l !== undefined));
  return users.flatMap((user) => {
    if (user.id === selfId) return [];
    const matchedBy = userBelongsToCourse(courseId, user, known);
    return matchedBy ? [{ user, matchedBy }] : [];
  });
}

/**
 * The course's `project-per-learner` projects, labelled like users (by name `resops-<course>-…`
 * otherwise); never the caller's own project. Listing projects is an administrator's: without the
 * role there are none the caller could have made.
 */
export async function courseProjects(client: OpenStackClient, courseId: string): Promise<Array<{ project: Project; matchedBy: MatchedBy }>> {
  const projects = await refusedAsEmpty(() => client.identity.listProjects());
  const known = new Set(projects.map(identityLabelOf).filter((l): l is string => l !== undefined));
  return projects.flatMap((project) => {
    if (project.id === client.projectId) return [];
    const matchedBy = userBelongsToCourse(courseId, project, known);
    return matchedBy ? [{ project, matchedBy }] : [];
  });
}

async function refusedAsEmpty<T>(call: () => Promise<T[]>): Promise<T[]> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OpenStackApiError && (error.status === 401 || error.status === 403)) return [];
    throw error;
  }
}

function credentialLeftover(userId: string, userName: string, credential: ApplicationCredential, matchedBy: MatchedBy): IdentityLeftover {
  return {
    kind: 'application-credential',
    id: `${userId}/${credential.id}`,
    name: `${userName}: ${credential.name}`,
    matchedBy,
    detail: credential.expires_at ? `expires ${credential.expires_at}` : 'never expires',
  };
}

/** The course's users, their credentials and role assignments in the instructor's project, and the discovery credential. */
export async function findIdentityLeftovers(client: OpenStackClient, courseId: string): Promise<IdentityLeftover[]> {
  const { identity, session } = client;
  const found: IdentityLeftover[] = [];

  // The instructor's own credentials (no admin role needed): the discovery credential, by its
  // name, and learners' credentials (`resops accounts` without the admin role), by their label.
  const discovery = discoveryCredentialName(courseId);
  for (const credential of await refusedAsEmpty(() => identity.listApplicationCredentials(session.userId))) {
    if (credential.name === discovery) found.push(credentialLeftover(session.userId, 'yours', credential, 'name'));
    else if (identityLabelOf(credential) === courseId) found.push(credentialLeftover(session.userId, 'yours', credential, 'label'));
  }

  for (const { project, matchedBy } of await courseProjects(client, courseId)) {
    found.push({ kind: 'project', id: project.id, name: project.name, matchedBy, ...(project.description ? { detail: project.description } : {}) });
  }

  const ours = courseUsers(courseId, await refusedAsEmpty(() => identity.listUsers()), session.userId);
  if (!ours.length) return found;

  const assignments: RoleAssignment[] = client.projectId ? await refusedAsEmpty(() => identity.listProjectRoleAssignments(client.projectId)) : [];
  for (const { user, matchedBy } of ours) {
    for (const credential of await refusedAsEmpty(() => identity.listApplicationCredentials(user.id))) {
      found.push(credentialLeftover(user.id, user.name, credential, matchedBy));
    }
    for (const assignment of assignments.filter((a) => a.user?.id === user.id)) {
      const project = assignment.scope.project;
      if (!project) continue;
      found.push({
        kind: 'role-assignment',
        id: `${project.id}/${user.id}/${assignment.role.id}`,
        name: `${user.name}: ${assignment.role.name ?? assignment.role.id} in ${project.name ?? project.id}`,
        matchedBy,
      });
    }
    found.push({ kind: 'user', id: user.id, name: user.name, matchedBy, ...(user.description ? { detail: user.description } : {}) });
  }
  return found;
}

/** Deletes one identity leftover; a user's deletion takes its credentials and assignments with it. */
export async function deleteIdentityLeftover(client: OpenStackClient, leftover: IdentityLeftover): Promise<void> {
  const { identity } = client;
  const parts = leftover.id.split('/');
  if (leftover.kind === 'user') return identity.deleteUser(leftover.id);
  if (leftover.kind === 'project') return identity.deleteProject(leftover.id);
  if (leftover.kind === 'application-credential') return identity.deleteApplicationCredential(parts[0]!, parts[1]!);
  return identity.revokeProjectRole(parts[0]!, parts[1]!, parts[2]!);
}
