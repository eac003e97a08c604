/**
 * Temporary cloud accounts for learners (issue #17), `shared-project` mode: per learner a
 * Keystone user `resops-<course>-<learner>` with the `member` role in the course's project (the
 * instructor's), and an application credential of theirs that expires with the course. The
 * learner gets only that credential, as a clouds.yaml entry in a 0600 file beside their handout:
 * the user's password is random, used once to make the credential and then replaced by another
 * random one that nobody keeps, so no password of the account exists anywhere.
 *
 * In this mode learners are members of one project and can see each other's servers: say so.
 * Deleting the user deletes its credential and its role assignment with it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generatePassword } from '../access/gnocchi-users.js';
import type { Course, Learner } from '../course/model.js';
import type { CloudConfig } from '../openstack/cloud-config.js';
import { OpenStackApiError } from '../openstack/errors.js';
import type { OpenStackClient } from '../openstack/client.js';
import type { User } from '../openstack/identity.js';
import { TargetError } from '../targets/driver.js';

/** Hours a learner's credential outlives `course.end` (its last day, 24:00 UTC). */
export const GRACE_HOURS = 24;
/** Without `course.end`: a credential lives this many days, never for ever. */
export const DEFAULT_DAYS = 7;

export function accountUserName(course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>): string {
  return `resops-${course.id}-${learner.id}`;
}

export function accountCredentialName(course: Pick<Course, 'id'>): string {
  return `resops-${course.id}`;
}

/** The clouds.yaml entry name a learner's tools use (`OS_CLOUD`). */
export function accountCloudName(course: Pick<Course, 'id'>): string {
  return `resops-${course.id}`;
}

export function accountFileName(learner: Pick<Learner, 'id'>): string {
  return `${learner.id}.clouds.yaml`;
}

/** When a learner's credential stops working: the end of `course.end` plus the grace, else a week from `now`. */
export function accountExpiry(course: Pick<Course, 'end'>, now = new Date()): Date {
  if (course.end) return new Date(Date.parse(`${course.end}T00:00:00Z`) + (24 + GRACE_HOURS) * 3_600_000);
  return new Date(now.getTime() + DEFAULT_DAYS * 86_400_000);
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

export interface AccountResult {
  learner: string;
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

function refusedMessage(client: OpenStackClient, what: string, error: OpenStackApiError): TargetError {
  const roles = client.session.roles.length ? client.session.roles.join(', ') : 'none';
  return new TargetError(
    `cloud "${client.cloud}" refused ${what} (HTTP ${error.status}): making learner accounts needs Keystone's admin role (identity:create_user, identity:create_grant); your credential has the roles ${roles} in project ${client.session.projectName || client.projectId}`,
    'ask the cloud\'s operators for the accounts (or the admin role in the course\'s project\'s domain), or run the course without learner accounts: learners then use what the instructor gives them',
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

function writePrivate(file: string, text: string): void {
  const temporary = `${file}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
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
  const { client, progress } = options;
  const connectAs = options.connectAs ?? (async (config: CloudConfig) => (await import('../openstack/client.js')).OpenStackClient.connect(config));
  const base = client.session.config;
  const projectId = client.projectId;
  const expiresAt = accountExpiry(course, options.now);
  if (expiresAt.getTime() <= (options.now ?? new Date()).getTime()) {
    throw new TargetError(`${course.file}: course.end ${course.end} is past: its accounts would expire at ${expiresAt.toISOString()}`, 'set course.end to the class\'s last day');
  }
  const role = await asAdmin(client, 'reading its roles', () => client.identity.findRole('member'));
  if (!role) throw new TargetError(`cloud "${client.cloud}" has no role \`member\``, 'learner accounts are members of the course\'s project: create the role, or ask the cloud\'s operators');
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  chmodSync(options.dir, 0o700);
  const results: AccountResult[] = [];
  const learners = course.learners.filter((l) => !options.learners || options.learners.includes(l.id));
  for (const [index, learner] of learners.entries()) {
    const name = accountUserName(course, learner);
    const file = join(options.dir, accountFileName(learner));
    progress?.(`[${index + 1}/${learners.length}] ${learner.id}: account ${name}`);
    let user: User | undefined = await asAdmin(client, `looking up user ${name}`, () => client.identity.findUser(name));
    if (user && !options.renew && (await fileWorks(file, connectAs, base, course))) {
      results.push({ learner: learner.id, user: name, action: 'kept', file });
      continue;
    }
    const password = generatePassword();
    const action: AccountResult['action'] = user ? 'renewed' : 'created';
    if (user) await asAdmin(client, `setting a password for ${name}`, () => client.identity.setUserPassword(user!.id, password));
    else user = await asAdmin(client, `creating user ${name}`, () => client.identity.createUser(name, password, projectId));
    await asAdmin(client, `granting ${name} the member role`, () => client.identity.grantProjectRole(projectId, user!.id, role.id));
    // As the learner: only they may make their application credential.
    const own = await connectAs({
      ...base,
      name: accountCloudName(course),
      auth: { type: 'password', userId: user.id, password, projectId },
    });
    for (const old of await own.identity.findApplicationCredentials(user.id, accountCredentialName(course))) await own.identity.deleteApplicationCredential(user.id, old.id);
    const credential = await own.identity.createApplicationCredential(user.id, {
      name: accountCredentialName(course),
      description: `resops course ${course.id}: learner ${learner.id}`,
      expires_at: expiresAt.toISOString(),
    });
    // The password made the credential; now no one knows the account's password.
    await asAdmin(client, `retiring ${name}'s password`, () => client.identity.setUserPassword(user!.id, generatePassword()));
    writePrivate(file, learnerCloudsYaml(course, base, credential, expiresAt));
    results.push({ learner: learner.id, user: name, action, file, expiresAt: expiresAt.toISOString() });
  }
  return results;
}

export interface ListedAccount {
  learner: string;
  user: string;
  exists: boolean;
  userId?: string;
}

/** The course's learners and whether each has an account in the cloud. */
export async function listAccounts(course: Course, client: OpenStackClient): Promise<ListedAccount[]> {
  const out: ListedAccount[] = [];
  for (const learner of course.learners) {
    const name = accountUserName(course, learner);
    const user = await asAdmin(client, `looking up user ${name}`, () => client.identity.findUser(name));
    out.push({ learner: learner.id, user: name, exists: user !== undefined, ...(user ? { userId: user.id } : {}) });
  }
  return out;
}

/** Deletes the accounts (users, with their credentials and role assignments) and the learners' files. */
export async function deleteAccounts(course: Course, client: OpenStackClient, options: { dir: string; learners?: string[]; progress?: (line: string) => void }): Promise<Array<{ learner: string; user: string; deleted: boolean }>> {
  const out: Array<{ learner: string; user: string; deleted: boolean }> = [];
  for (const learner of course.learners.filter((l) => !options.learners || options.learners.includes(l.id))) {
    const name = accountUserName(course, learner);
    const user = await asAdmin(client, `looking up user ${name}`, () => client.identity.findUser(name));
    if (user) await asAdmin(client, `deleting user ${name}`, () => client.identity.deleteUser(user.id));
    rmSync(join(options.dir, accountFileName(learner)), { force: true });
    options.progress?.(`${learner.id}: ${user ? `deleted ${name}` : `no account ${name}`}`);
    out.push({ learner: learner.id, user: name, deleted: user !== undefined });
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
  const existing = listed.filter((a) => a.exists && a.userId);
  if (!existing.length) return undefined;
  for (const account of existing) await asAdmin(client, `deleting user ${account.user}`, () => client.identity.deleteUser(account.userId!));
  return `deleted ${existing.length} learner account${existing.length === 1 ? '' : 's'}: ${existing.map((a) => a.user).join(', ')}`;
}
