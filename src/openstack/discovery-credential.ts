/**
 * Prometheus' OpenStack discovery credential (issue #19). The monitoring host keeps it in
 * prometheus.yml, where whoever gets onto that host can read it: so it is never the instructor's
 * own credential but an application credential of the course, `resops-<course>-discovery`,
 * restricted by Keystone's access rules to the GET requests Prometheus' `openstack_sd_configs`
 * (role `instance`) makes. `configure` makes it once and keeps its id and secret in the course's
 * state directory (0600); later runs reuse it while it works, so prometheus.yml does not change;
 * a full `down` deletes it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Course } from '../course/model.js';
import { privateStateRoot } from '../course/private-state.js';
import { TargetError } from '../targets/driver.js';
import type { CloudConfig } from './cloud-config.js';
import { AuthenticationError, OpenStackApiError } from './errors.js';
import type { AccessRule, IdentityApi } from './identity.js';
import { OpenStackSession } from './session.js';

/** What the state file holds; `id` and `secret` are all a hand-made credential needs. */
export interface DiscoveryCredential {
  id: string;
  secret: string;
  /** Present when the toolkit made it: the owner, for deleting it on `down`. */
  userId?: string;
  /** The access rules it was made with (none: made by hand, restricted however its maker chose). */
  accessRules?: AccessRule[];
}

export function discoveryCredentialName(courseId: string): string {
  return `resops-${courseId}-discovery`;
}

export function discoveryCredentialFile(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return join(privateStateRoot(course), 'openstack', 'discovery-credential.json');
}

/**
 * Exactly what Prometheus 2.42's discovery/openstack/instance.go asks Nova, through gophercloud at
 * the base microversion, under the compute URL of the catalog as it is written there:
 * `floatingips.List` (GET <compute>/os-floating-ips) and `servers.List` with its pages (GET
 * <compute>/servers/detail; a page's marker is in the query, which access rules do not see).
 * One pair per distinct base path: the interface Prometheus uses and the one `configure` checks
 * the credential through may differ.
 */
export function discoveryAccessRules(computeUrls: string[]): AccessRule[] {
  const bases = [...new Set(computeUrls.map((url) => new URL(url).pathname.replace(/\/+$/, '')))];
  return bases.flatMap((base) => ['/servers/detail', '/os-floating-ips'].map((path) => ({ service: 'compute', method: 'GET', path: `${base}${path}` })));
}

/** The state file's credential; undefined when there is none. Throws TargetError when it is unusable. */
export function readDiscoveryCredential(file: string): DiscoveryCredential | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new TargetError(`${file} is not JSON`, 'delete it: the next `configure` makes a new discovery credential');
  }
  const value = parsed as Partial<Record<keyof DiscoveryCredential, unknown>> | null;
  if (typeof value?.id !== 'string' || typeof value.secret !== 'string' || !value.id || !value.secret) {
    throw new TargetError(`${file} has no application credential \`id\` and \`secret\``, 'write both (strings), or delete the file: the next `configure` makes a new discovery credential');
  }
  return {
    id: value.id,
    secret: value.secret,
    ...(typeof value.userId === 'string' ? { userId: value.userId } : {}),
    ...(Array.isArray(value.accessRules) ? { accessRules: value.accessRules as AccessRule[] } : {}),
  };
}

/** Written whole or not at all, 0600 in a 0700 directory: it holds the secret. */
export function writeDiscoveryCredential(file: string, credential: DiscoveryCredential): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
}

/**
 * The `openstack` command that makes the credential by hand, and where its id and secret go:
 * restricted by the access rules, or, on a cloud whose services do not check those, to the
 * project's reader role.
 */
export function manualCreation(courseId: string, file: string, restriction: AccessRule[] | 'reader'): string {
  const limit =
    restriction === 'reader'
      ? '--role reader'
      : `--access-rules '${JSON.stringify(restriction.map(({ service, method, path }) => ({ service, method, path })))}'`;
  return (
    `make it with a credential Keystone lets create application credentials (a password, or an unrestricted application credential): ` +
    `\`openstack application credential create ${discoveryCredentialName(courseId)} --description 'Prometheus discovery of course ${courseId}: lists servers only' ${limit}\`, ` +
    `then write its id and secret to ${file} (mode 0600) as {"id": "<id>", "secret": "<secret>"}; configure uses it from then on`
  );
}

/** The instructor's Keystone calls this module makes (the toolkit's IdentityApi). */
export type DiscoveryIdentity = Pick<IdentityApi, 'createApplicationCredential' | 'findApplicationCredentials' | 'deleteApplicationCredential'>;

/** What is used of the instructor's connected session (the course's cloud). */
export type InstructorSession = Pick<OpenStackSession, 'config' | 'cloud' | 'userId' | 'projectId' | 'roles' | 'catalogUrl'>;

export interface EnsureOptions {
  /** The instructor's session: its identity makes the credential, in its project. */
  session: InstructorSession;
  identity: DiscoveryIdentity;
  /** The catalog interface Prometheus uses on the monitoring host. */
  prometheusInterface: CloudConfig['interface'];
  progress?: (line: string) => void;
}

/**
 * The course's discovery credential, working: the state file's while it authenticates in the
 * instructor's project and lists servers, else a new one. A cloud that refuses to make it, or
 * that lets it do more than list servers, is an error: never the instructor's credential instead.
 */
export async function ensureDiscoveryCredential(course: Pick<Course, 'id' | 'dir' | 'stateDir'>, options: EnsureOptions): Promise<DiscoveryCredential> {
  const { session, progress } = options;
  const file = discoveryCredentialFile(course);
  const computeUrls = [options.prometheusInterface, session.config.interface].map((iface) => session.catalogUrl('compute', iface)).filter((url): url is string => url !== undefined);
  if (!computeUrls.length) throw new TargetError(`cloud "${session.cloud}": the catalog has no compute endpoint`, 'Prometheus discovers servers through Nova: check region_name and interface in clouds.yaml');
  const rules = discoveryAccessRules(computeUrls);
  const kept = readDiscoveryCredential(file);
  if (kept) {
    const problem = await checkCredential(session, kept);
    if (problem === undefined) return kept;
    if (!kept.userId) throw new TargetError(`the discovery credential in ${file} (made by hand) ${problem}`, manualCreation(course.id, file, rules));
    progress?.(`the discovery credential in ${file} ${problem}: making a new one`);
    // Its owner may be another user of the cloud than now (a changed OS_CLOUD): then it stays, and its id is in this line.
    await options.identity.deleteApplicationCredential(kept.userId, kept.id).catch(() => progress?.(`could not delete the old one (${kept.id}) as ${session.userId}`));
  }

  const name = discoveryCredentialName(course.id);
  const refused = (error: unknown): never => {
    if (error instanceof OpenStackApiError && (error.status === 401 || error.status === 403)) {
      throw new TargetError(
        `cloud "${session.cloud}" refused to make Prometheus' discovery credential ${name} (${error.message}); an application credential cannot make another unless it is unrestricted, and Prometheus is never given the instructor's own credential instead`,
        manualCreation(course.id, file, rules),
      );
    }
    throw error;
  };
  // Names are unique per user: one whose secret is lost (state file deleted) goes first.
  const stale = await options.identity.findApplicationCredentials(session.userId, name).catch(refused);
  for (const old of stale) await options.identity.deleteApplicationCredential(session.userId, old.id).catch(refused);
  const made = await options.identity
    .createApplicationCredential(session.userId, {
      name,
      description: `Prometheus discovery of course ${course.id} (resops): lists servers only`,
      access_rules: rules,
      // Reader where the cloud has the role: a second fence behind the access rules.
      ...(session.roles.includes('reader') ? { roles: ['reader'] } : {}),
    })
    .catch(refused);
  const credential: DiscoveryCredential = { id: made.id, secret: made.secret, userId: session.userId, accessRules: rules };
  writeDiscoveryCredential(file, credential);
  progress?.(`made Prometheus' discovery credential ${name} (application credential ${made.id}, GET ${rules.map((r) => r.path).join(', ')} on compute only), kept in ${file}`);
  const problem = await checkCredential(session, credential);
  if (problem !== undefined) {
    await options.identity.deleteApplicationCredential(session.userId, made.id);
    rmSync(file, { force: true });
    throw new TargetError(
      `cloud "${session.cloud}": the new discovery credential ${name} ${problem}; it was deleted again, and Prometheus is never given the instructor's own credential instead`,
      `the cloud's Nova must check access rules (keystonemiddleware's [keystone_authtoken] service_type = compute); ask its operators, or ${manualCreation(course.id, file, 'reader')}`,
    );
  }
  return credential;
}

/**
 * Why the credential will not do for Prometheus, or undefined: it must authenticate in the
 * instructor's project and list servers and floating IPs as Prometheus does (Nova's base
 * microversion); one the toolkit made with access rules must also be refused everything else
 * (a cloud that ignores access rules would let it do all the instructor can).
 */
async function checkCredential(instructor: InstructorSession, credential: DiscoveryCredential): Promise<string | undefined> {
  const config: CloudConfig = {
    ...instructor.config,
    name: `${instructor.cloud} (discovery credential)`,
    auth: { type: 'application_credential', id: credential.id, secret: credential.secret },
  };
  let session: OpenStackSession;
  try {
    session = await OpenStackSession.connect(config, { computeMicroversion: '2.1' });
  } catch (error) {
    // Keystone answers a deleted credential's id 404 ("Could not find Application Credential"), or 401.
    if (error instanceof AuthenticationError || (error instanceof OpenStackApiError && error.status === 404)) return 'no longer authenticates (deleted, or its owner lost the project)';
    throw error;
  }
  if (session.projectId !== instructor.projectId) return `belongs to another project (${session.projectId}, not ${instructor.projectId})`;
  const compute = instructor.catalogUrl('compute', instructor.config.interface)!;
  const status = async (path: string): Promise<number> => {
    try {
      return (await session.request('compute', 'GET', `${compute}${path}`, { okStatus: [403, 404] })).status;
    } catch (error) {
      if (error instanceof AuthenticationError) return 401;
      throw error;
    }
  };
  for (const path of ['/servers/detail', '/os-floating-ips']) {
    const answer = await status(path);
    if (answer !== 200) return `cannot GET ${path} from Nova (answered ${answer})`;
  }
  if (credential.accessRules) {
    const answer = await status('/flavors');
    if (answer < 400) return `can GET /flavors from Nova (answered ${answer}): the cloud ignores its access rules`;
  }
  return undefined;
}

/**
 * `down`'s end of it: deletes the course's discovery credential (by the state file's id; without
 * a file, by name, so one whose file was lost goes too) and the file. Returns what it did, for
 * the log. A course without monitoring never had one: nothing is asked.
 */
export async function deleteDiscoveryCredential(
  course: Pick<Course, 'id' | 'dir' | 'stateDir'> & { monitoring: Pick<Course['monitoring'], 'enabled'> },
  session: Pick<InstructorSession, 'cloud' | 'userId'>,
  identity: DiscoveryIdentity,
): Promise<string | undefined> {
  const file = discoveryCredentialFile(course);
  const kept = readDiscoveryCredential(file);
  if (!kept && !course.monitoring.enabled) return undefined;
  const name = discoveryCredentialName(course.id);
  const refused = (error: unknown) => error instanceof OpenStackApiError && (error.status === 401 || error.status === 403);
  let ids: string[];
  if (kept) {
    await identity.deleteApplicationCredential(kept.userId ?? session.userId, kept.id).catch((error: unknown) => {
      if (!refused(error)) throw error;
      throw new TargetError(
        `cloud "${session.cloud}" refused to delete Prometheus' discovery credential ${name} (${(error as Error).message})`,
        `delete it with a credential that may (its owner's password, or an unrestricted application credential): \`openstack application credential delete ${kept.id}\`, then remove ${file}`,
      );
    });
    ids = [kept.id];
  } else {
    // A credential that may not list application credentials could never have made one either.
    const found = await identity.findApplicationCredentials(session.userId, name).catch((error: unknown) => {
      if (refused(error)) return [];
      throw error;
    });
    for (const credential of found) await identity.deleteApplicationCredential(session.userId, credential.id);
    ids = found.map((c) => c.id);
  }
  rmSync(file, { force: true });
  return ids.length ? `deleted Prometheus' discovery credential ${name} (application credential ${ids.join(', ')})` : undefined;
}

/**
 * `configure`'s entry: connects to the course's cloud with the instructor's credentials and
 * returns openstack_sd_configs' credential fields (Prometheus' names) of the course's discovery
 * credential.
 */
export async function courseDiscoveryAuth(
  cloudName: string,
  course: Course,
  prometheusInterface: CloudConfig['interface'],
  progress?: (line: string) => void,
): Promise<Record<string, string>> {
  const { askCloud, connectCourseCloud } = await import('../targets/course-cloud.js');
  const client = await askCloud(cloudName, 'connecting for Prometheus\' discovery credential', () => connectCourseCloud(cloudName, course.cloud.region));
  const credential = await askCloud(cloudName, 'making Prometheus\' discovery credential', () =>
    ensureDiscoveryCredential(course, { session: client.session, identity: client.identity, prometheusInterface, ...(progress ? { progress } : {}) }),
  );
  return { application_credential_id: credential.id, application_credential_secret: credential.secret };
}
