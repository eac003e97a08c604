/**
 * Temporary cloud accounts for learners (issue #17), `shared-project` mode, in one of two kinds,
 * chosen by what the instructor's credential allows:
 * - `user` (the instructor has Keystone's admin role): per learner a Keystone user
 *   `resops-<course>-<learner>` with the `member` role in the course's project (the instructor's),
 *   and an application credential of theirs that expires with the course. The user's password is
 *   random, used once to make the credential and then replaced by another random one that nobody
 *   keeps, so no password of the account exists anywhere.
 * - `credential` (the instructor is only a member, as on most research clouds): per learner an
 *   application credential of the instructor's own user, `resops-<course>-<learner>`, restricted to
 *   the `member` role, expiring with the course. Learners then act as the instructor's user with
 *   no more than a member's rights; Keystone refuses such a credential any change of credentials.
 * Either way the learner gets only a credential, as a clouds.yaml entry in a 0600 file beside
 * their handout. Learners are members of one project and can see each other's servers: say so.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generatePassword } from '../access/gnocchi-users.js';
import type { Course, Learner } from '../course/model.js';
import { ACCOUNT_NAMES } from '../course/naming.js';
import type { CloudConfig } from '../openstack/cloud-config.js';
import { OpenStackApiError } from '../openstack/errors.js';
import { courseUsers, identityLabel, identityLabelOf } from '../openstack/identity-leftovers.js';
import type { OpenStackClient } from '../openstack/client.js';
import type { Project, User } from '../openstack/identity.js';
import { TargetError } from '../targets/driver.js';
import { courseExpiry } from '../course/expiry.js';
import { privateStateRoot, writePrivateFile } from '../course/private-state.js';
import { ensureLearnerProject, learnerProjects, learnerQuotas, projectContents, setLearnerQuotas } from './learner-projects.js';

/** Without `course.end`: a credential lives this many days, never for ever. */
export const DEFAULT_DAYS = 7;

export function accountUserName(course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>): string {
  return ACCOUNT_NAMES.learner(course, learner);
}

export function accountCredentialName(course: Pick<Course, 'id'>): string {
  return `resops-${course.id}`;
}

/** The clouds.yaml entry name a learner's tools use (`OS_CLOUD`). */
export function accountCloudName(course: Pick<Course, 'id'>): string {
  return ACCOUNT_NAMES.cloud(course);
}

export function accountFileName(learner: Pick<Learner, 'id'>): string {
  return `${learner.id}.clouds.yaml`;
}

/** Where `accounts create` puts a learner's clouds.yaml by default (the handouts folder). */
export function accountFile(course: Pick<Course, 'dir' | 'stateDir'>, learner: Pick<Learner, 'id'>): string {
  return join(privateStateRoot(course), 'handouts', accountFileName(learner));
}

/**
 * When a learner's credential stops working: when the course's labs expire (`course.end` plus
 * `expiry.grace_hours`), so nobody can rebuild a reaped lab; without an end, a week from `now`.
 */
export function accountExpiry(course: Pick<Course, 'end' | 'expiry'>, now = new Date()): Date {
  return courseExpiry(course) ?? new Date(now.getTime() + DEFAULT_DAYS * 86_400_000);
}

/** The learner's clouds.yaml: one entry, their application credential; nothing of the instructor's. */
export function learnerCloudsYaml(course: Pick<Course, 'id'>, cloud: Pick<CloudConfig, 'authUrl' | 'regionName' | 'interface'>, credential: { id: string; secret: string }, expiresAt: Date): string {
  const entry = {
    auth_type: 'v3applicationcredential',
    auth: { auth_url: cloud.authUrl, application_credential_id: credential.id, application_credential_secret: credential.secret },
    ...(cloud.regionName ? { region_name: cloud.regionName } : {}),
    interface: cloud.interface,
    identity_api_version: 3,
  };
  return `# resops course ${course.id}: your own cloud credential, valid until ${expiresAt.toISOString()}. Keep it private.\n# Use it with OS_CLIENT_CONFIG_FILE=<this file> OS_CLOUD=${accountCloudName(course)}.\n${stringify({ clouds: { [accountCloudName(course)]: entry } })}`;
}

/** `user`: a Keystone user of the learner's own; `credential`: an application credential of the instructor's user. */
export type AccountKind = 'user' | 'credential';

/** Users need Keystone's admin role; without it, the instructor's own credentials are what there is. */
export function accountKind(client: Pick<OpenStackClient, 'session'>): AccountKind {
  return client.session.roles.includes('admin') ? 'user' : 'credential';
}

/** The description that labels an account for the leak check and reap (Keystone has no tags). */
export function accountDescription(course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>): string {
  return `${identityLabel(course.id)} learner=${learner.id}: a learner's account (resops accounts)`;
}

export interface AccountResult {
  learner: string;
  kind: AccountKind;
  /** The user's name (`user`), or the credential's (`credential`): both `resops-<course>-<learner>`. */
  user: string;
  /** created: new user; renewed: a new credential for an existing user; kept: its file still works. */
  action: 'created' | 'renewed' | 'kept';
  file: string;
  expiresAt?: string;
}

export interface AccountsOptions {
  /** The instructor's connected client (the course's cloud). */
  client: OpenStackClient;
  /** Where the learners' clouds.yaml files go (the handouts folder). */
  dir: string;
  learners?: string[];
  /** Make a new credential even when the learner's file still works. */
  renew?: boolean;
  now?: Date;
  progress?: (line: string) => void;
  /** Connects as a learner (their password, in the course's project): tests may watch it. */
  connectAs?: (config: CloudConfig) => Promise<OpenStackClient>;
}

function rolesOf(client: OpenStackClient): string {
  return `your credential has the roles ${client.session.roles.length ? client.session.roles.join(', ') : 'none'} in project ${client.session.projectName || client.projectId}`;
}

function refusedMessage(client: OpenStackClient, what: string, error: OpenStackApiError): TargetError {
  return new TargetError(
    `cloud "${client.cloud}" refused ${what} (HTTP ${error.status}): learners' own users need Keystone's admin role (identity:create_user, identity:create_grant); ${rolesOf(client)}`,
    'ask the cloud\'s operators for the accounts (or the admin role in the course\'s project\'s domain), or run the course without learner accounts: learners then use what the instructor gives them',
  );
}

/** The instructor's credential may not make credentials: it is itself a restricted application credential, or lacks `member`. */
function credentialRefused(client: OpenStackClient, what: string, error: OpenStackApiError): TargetError {
  return new TargetError(
    `cloud "${client.cloud}" refused ${what} (HTTP ${error.status}): without Keystone's admin role, learners' accounts are application credentials of your own user, and Keystone makes those only for a login with your password (or an unrestricted application credential); ${rolesOf(client)}`,
    'run `accounts create` with a clouds.yaml entry that logs in with your password (the credentials are made once; the password is not kept), or ask the cloud\'s operators for the admin role',
  );
}

async function asAdmin<T>(client: OpenStackClient, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OpenStackApiError && (error.status === 401 || error.status === 403)) throw refusedMessage(client, what, error);
    throw error;
  }
}


/** Whether the learner's file still logs in (a credential deleted or expired does not). */
async function fileWorks(file: string, connectAs: (config: CloudConfig) => Promise<OpenStackClient>, base: CloudConfig, course: Pick<Course, 'id'>): Promise<boolean> {
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  const id = /application_credential_id: (\S+)/.exec(text)?.[1];
  const secret = /application_credential_secret: (\S+)/.exec(text)?.[1];
  if (!id || !secret) return false;
  try {
    await connectAs({ ...base, name: accountCloudName(course), auth: { type: 'application_credential', id, secret } });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes (or renews) the accounts of the course's learners. Idempotent: a learner whose file still
 * logs in is kept; a learner whose user exists without a working file gets a new credential.
 */
export async function createAccounts(course: Course, options: AccountsOptions): Promise<AccountResult[]> {
  const { client } = options;
  const connectAs = options.connectAs ?? (async (config: CloudConfig) => (await import('../openstack/client.js')).OpenStackClient.connect(config));
  const base = client.session.config;
  const projectId = client.projectId;
  const expiresAt = accountExpiry(course, options.now);
  if (expiresAt.getTime() <= (options.now ?? new Date()).getTime()) {
    throw new TargetError(`${course.file}: course.end ${course.end} is past: its accounts would expire at ${expiresAt.toISOString()}`, 'set course.end to the class\'s last day');
  }
  const perLearner = course.accounts.mode === 'project-per-learner';
  if (accountKind(client) === 'credential') {
    if (perLearner) throw projectsRefused(course, client);
    return createCredentialAccounts(course, options, connectAs, expiresAt);
  }
  const role = await asAdmin(client, 'reading its roles', () => client.identity.findRole('member'));
  if (!role) throw new TargetError(`cloud "${client.cloud}" has no role \`member\``, 'learner accounts are members of the course\'s project: create the role, or ask the cloud\'s operators');
  return eachLearner(course, options, perLearner ? 'project and account' : 'account', async (learner, name, file) => {
    // Quotas follow the course file every time, also for an account that is kept.
    const home = perLearner ? await asAdmin(client, `making project ${name} and its quotas`, () => learnerHome(client, course, learner)) : projectId;
    let user: User | undefined = await asAdmin(client, `looking up user ${name}`, () => client.identity.findUser(name));
    if (user && !options.renew && (await fileWorks(file, connectAs, base, course))) return { learner: learner.id, kind: 'user', user: name, action: 'kept', file };
    const password = generatePassword();
    const action: AccountResult['action'] = user ? 'renewed' : 'created';
    if (user) await asAdmin(client, `setting a password for ${name}`, () => client.identity.setUserPassword(user!.id, password));
    else user = await asAdmin(client, `creating user ${name}`, () => client.identity.createUser(name, password, home, 'default', accountDescription(course, learner)));
    await asAdmin(client, `granting ${name} the member role`, () => client.identity.grantProjectRole(home, user!.id, role.id));
    // A learner moved from the shared project to their own leaves the shared one.
    if (perLearner) await asAdmin(client, `taking ${name} out of the course's project`, () => client.identity.revokeProjectRole(projectId, user!.id, role.id));
    // As the learner: only they may make their application credential.
    const own = await connectAs({
      ...base,
      name: accountCloudName(course),
      auth: { type: 'password', userId: user.id, password, projectId: home },
    });
    for (const old of await own.identity.findApplicationCredentials(user.id, accountCredentialName(course))) await own.identity.deleteApplicationCredential(user.id, old.id);
    const credential = await own.identity.createApplicationCredential(user.id, {
      name: accountCredentialName(course),
      description: accountDescription(course, learner),
      expires_at: expiresAt.toISOString(),
    });
    // The password made the credential; now no one knows the account's password.
    await asAdmin(client, `retiring ${name}'s password`, () => client.identity.setUserPassword(user!.id, generatePassword()));
    writePrivateFile(file, learnerCloudsYaml(course, base, credential, expiresAt));
    return { learner: learner.id, kind: 'user', user: name, action, file, expiresAt: expiresAt.toISOString() };
  });
}

/** `project-per-learner`: the learner's project with its quotas; its id. */
async function learnerHome(client: OpenStackClient, course: Course, learner: Learner): Promise<string> {
  const { project } = await ensureLearnerProject(client, course, learner);
  await setLearnerQuotas(client, project.id, learnerQuotas(course, learner));
  return project.id;
}

function projectsRefused(course: Course, client: OpenStackClient): TargetError {
  return new TargetError(
    `${course.file}: accounts.mode project-per-learner makes a project per learner, which needs Keystone's admin role on cloud "${client.cloud}" (identity:create_project, identity:create_grant, and setting the projects' quotas); ${rolesOf(client)}`,
    'ask the cloud\'s operators for the admin role (or for the projects), or set accounts.mode: shared-project: learners then share the course\'s project',
  );
}

/** The loop both kinds share: the 0700 folder, the learners asked for, a progress line each. */
async function eachLearner(course: Course, options: AccountsOptions, what: string, make: (learner: Learner, name: string, file: string) => Promise<AccountResult>): Promise<AccountResult[]> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  chmodSync(options.dir, 0o700);
  const results: AccountResult[] = [];
  const learners = course.learners.filter((l) => !options.learners || options.learners.includes(l.id));
  for (const [index, learner] of learners.entries()) {
    const name = accountUserName(course, learner);
    options.progress?.(`[${index + 1}/${learners.length}] ${learner.id}: ${what} ${name}`);
    results.push(await make(learner, name, join(options.dir, accountFileName(learner))));
  }
  return results;
}

/** The `credential` kind: per learner an application credential of the instructor's user, member role only. */
async function createCredentialAccounts(course: Course, options: AccountsOptions, connectAs: (config: CloudConfig) => Promise<OpenStackClient>, expiresAt: Date): Promise<AccountResult[]> {
  const { client } = options;
  const { identity, session } = client;
  if (!session.roles.includes('member')) {
    throw new TargetError(
      `cloud "${client.cloud}": learners' application credentials carry the \`member\` role, which you do not hold; ${rolesOf(client)}`,
      'ask the cloud\'s operators for the member role in the course\'s project (or the admin role, for learners\' own users)',
    );
  }
  return eachLearner(course, options, 'application credential', async (learner, name, file) => {
    const existing = await identity.findApplicationCredentials(session.userId, name);
    if (existing.length && !options.renew && (await fileWorks(file, connectAs, session.config, course))) return { learner: learner.id, kind: 'credential', user: name, action: 'kept', file };
    let credential: Awaited<ReturnType<typeof identity.createApplicationCredential>>;
    try {
      for (const old of existing) await identity.deleteApplicationCredential(session.userId, old.id);
      credential = await identity.createApplicationCredential(session.userId, { name, description: accountDescription(course, learner), expires_at: expiresAt.toISOString(), roles: ['member'] });
    } catch (error) {
      if (error instanceof OpenStackApiError && (error.status === 401 || error.status === 403)) throw credentialRefused(client, `making application credential ${name}`, error);
      throw error;
    }
    writePrivateFile(file, learnerCloudsYaml(course, session.config, credential, expiresAt));
    return { learner: learner.id, kind: 'credential', user: name, action: existing.length ? 'renewed' : 'created', file, expiresAt: expiresAt.toISOString() };
  });
}

export interface ListedAccount {
  learner: string;
  user: string;
  exists: boolean;
  /** Present when it exists. */
  kind?: AccountKind;
  userId?: string;
  /** The instructor's application credential of the learner (`credential` kind). */
  credentialId?: string;
  /** `project-per-learner`: the learner's project, when it exists. */
  projectId?: string;
}

/** The learner's user (admins only: others cannot look users up, and could not have made any). */
async function findAccountUser(client: OpenStackClient, name: string): Promise<User | undefined> {
  if (accountKind(client) !== 'user') return undefined;
  return asAdmin(client, `looking up user ${name}`, () => client.identity.findUser(name));
}

/** The course's learners and whether each has an account in the cloud, of either kind. */
export async function listAccounts(course: Course, client: OpenStackClient): Promise<ListedAccount[]> {
  const out: ListedAccount[] = [];
  // Projects are looked for whatever the mode says now: a course switched back to shared-project still had them.
  const projects = accountKind(client) === 'user' ? await asAdmin(client, 'listing projects', () => learnerProjects(client, course)) : new Map<string, Project>();
  for (const learner of course.learners) {
    const name = accountUserName(course, learner);
    const user = await findAccountUser(client, name);
    const credential = (await client.identity.findApplicationCredentials(client.session.userId, name))[0];
    const project = projects.get(learner.id);
    out.push({
      learner: learner.id,
      user: name,
      exists: user !== undefined || credential !== undefined || project !== undefined,
      ...(user ? { kind: 'user' as const, userId: user.id } : credential ? { kind: 'credential' as const } : {}),
      ...(credential ? { credentialId: credential.id } : {}),
      ...(project ? { projectId: project.id } : {}),
    });
  }
  return out;
}

/** Refuses (before deleting anything) when a learner's project still holds part of a lab. */
async function checkProjectsEmpty(client: OpenStackClient, accounts: ListedAccount[]): Promise<void> {
  for (const account of accounts) {
    if (!account.projectId) continue;
    const held = await projectContents(client, account.projectId);
    if (held.length) {
      throw new TargetError(
        `learner ${account.learner}'s project ${account.user} still holds ${held.join(', ')}: deleting the project would leave them to no one`,
        `remove the learner's lab first (\`resops down FILE --target openstack --learner ${account.learner}\`), then delete the account`,
      );
    }
  }
}

async function deleteListed(client: OpenStackClient, account: ListedAccount): Promise<void> {
  if (account.userId) await asAdmin(client, `deleting user ${account.user}`, () => client.identity.deleteUser(account.userId!));
  if (account.credentialId) await client.identity.deleteApplicationCredential(client.session.userId, account.credentialId);
  if (account.projectId) await asAdmin(client, `deleting project ${account.user}`, () => client.identity.deleteProject(account.projectId!));
}

/** Deletes the accounts (users with their credentials and role assignments, or the instructor's credentials) and the learners' files. */
export async function deleteAccounts(course: Course, client: OpenStackClient, options: { dir: string; learners?: string[]; progress?: (line: string) => void }): Promise<Array<{ learner: string; user: string; deleted: boolean }>> {
  const out: Array<{ learner: string; user: string; deleted: boolean }> = [];
  const listed = (await listAccounts(course, client)).filter((a) => !options.learners || options.learners.includes(a.learner));
  await checkProjectsEmpty(client, listed);
  for (const account of listed) {
    await deleteListed(client, account);
    rmSync(join(options.dir, accountFileName({ id: account.learner })), { force: true });
    const what = [account.kind === 'credential' ? 'application credential' : account.kind === 'user' ? 'user' : undefined, account.projectId ? 'project' : undefined].filter(Boolean).join(' and ');
    options.progress?.(`${account.learner}: ${account.exists ? `deleted ${what} ${account.user}` : `no account ${account.user}`}`);
    out.push({ learner: account.learner, user: account.user, deleted: account.exists });
  }
  return out;
}

/**
 * A full `down`: the course's learner accounts end with it. An instructor whom Keystone does not
 * let look up users could not have made any, so a refusal here means there is nothing to delete.
 */
export async function dropCourseAccounts(course: Course, client: OpenStackClient): Promise<string | undefined> {
  let listed: ListedAccount[];
  try {
    listed = await listAccounts(course, client);
  } catch (error) {
    if (error instanceof TargetError && /refused/.test(error.message)) return undefined;
    throw error;
  }
  const existing = listed.filter((a) => a.exists);
  if (!existing.length) return undefined;
  await checkProjectsEmpty(client, existing);
  for (const account of existing) await deleteListed(client, account);
  return `deleted ${existing.length} learner account${existing.length === 1 ? '' : 's'}: ${existing.map((a) => a.user).join(', ')}`;
}

export interface ReapedAccount {
  user: string;
  /** Whose it was: from the label (`learner=<id>`), else the name after `resops-<course>-`. */
  learner: string;
  kind: AccountKind;
  /** expired: every credential of the course is past its expiry; no credential: none is left; not on the roster: the course file no longer has the learner. */
  reason: 'expired' | 'no credential' | 'not on the roster';
}

export interface KeptAccount {
  user: string;
  learner: string;
  kind: AccountKind;
  /** The latest expiry of the account's credentials (null: one never expires). */
  expiresAt: string | null;
}

function learnerOf(course: Pick<Course, 'id'>, item: { name: string; description?: string | null }): string {
  const labelled = /(?:^|\s)learner=(\S+?):?(?:\s|$)/.exec(item.description ?? '')?.[1];
  return labelled ?? item.name.slice(`resops-${course.id}-`.length);
}

function reapReason(roster: ReadonlySet<string>, learner: string, expiries: Array<string | null | undefined>, now: number): ReapedAccount['reason'] | undefined {
  if (!roster.has(learner)) return 'not on the roster';
  if (!expiries.length) return 'no credential';
  return expiries.every((e) => e && Date.parse(e) <= now) ? 'expired' : undefined;
}

function latest(expiries: Array<string | null | undefined>): string | null {
  if (expiries.some((e) => !e)) return null;
  return new Date(Math.max(...expiries.map((e) => Date.parse(e!)))).toISOString();
}

/**
 * What a class leaves once it is over: the course's accounts whose credentials have all expired
 * (Keystone refuses them, but users and credentials stay), users left without a credential, and
 * at once any account whose learner is no longer on the roster. Deletes those and their files;
 * keeps the others and says until when. `now` is the clock Keystone's expiry is compared with.
 */
export async function reapAccounts(course: Course, client: OpenStackClient, options: { dir: string; now?: Date; progress?: (line: string) => void }): Promise<{ reaped: ReapedAccount[]; kept: KeptAccount[] }> {
  const now = (options.now ?? new Date()).getTime();
  const roster = new Set(course.learners.map((l) => l.id));
  const reaped: ReapedAccount[] = [];
  const kept: KeptAccount[] = [];
  const settle = async (kind: AccountKind, name: string, learner: string, expiries: Array<string | null | undefined>, remove: () => Promise<void>) => {
    const reason = reapReason(roster, learner, expiries, now);
    if (!reason) {
      kept.push({ user: name, learner, kind, expiresAt: latest(expiries) });
      return;
    }
    await remove();
    if (/^[A-Za-z0-9_.-]+$/.test(learner)) rmSync(join(options.dir, accountFileName({ id: learner })), { force: true });
    options.progress?.(`${learner}: deleted ${kind === 'user' ? 'user' : 'application credential'} ${name} (${reason})`);
    reaped.push({ user: name, learner, kind, reason });
  };

  if (accountKind(client) === 'user') {
    const users = await asAdmin(client, 'listing users', () => client.identity.listUsers());
    for (const { user } of courseUsers(course.id, users, client.session.userId)) {
      const credentials = (await asAdmin(client, `listing ${user.name}'s application credentials`, () => client.identity.listApplicationCredentials(user.id))).filter((c) => c.name === accountCredentialName(course));
      await settle('user', user.name, learnerOf(course, user), credentials.map((c) => c.expires_at), () => asAdmin(client, `deleting user ${user.name}`, () => client.identity.deleteUser(user.id)));
    }
  }
  const own = await client.identity.listApplicationCredentials(client.session.userId);
  for (const credential of own) {
    if (identityLabelOf(credential) !== course.id) continue;
    await settle('credential', credential.name, learnerOf(course, credential), [credential.expires_at], () => client.identity.deleteApplicationCredential(client.session.userId, credential.id));
  }
  return { reaped, kept };
}
