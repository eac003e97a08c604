import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CloudConfigError } from './errors.js';

/**
 * Where the credentials of a cloud come from, the way openstacksdk and Terraform's OpenStack
 * provider find them: a clouds.yaml entry (plus its secure.yaml secrets), or OS_* variables.
 * Credentials never live in the course file; this module only reads them, never logs them.
 */

export interface PasswordAuth {
  type: 'password';
  username?: string;
  userId?: string;
  password: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
}

export interface ApplicationCredentialAuth {
  type: 'application_credential';
  id?: string;
  name?: string;
  secret: string;
  /** Needed with `name` (names are unique per user only). */
  username?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
}

export interface CloudConfig {
  /** The cloud name asked for (or `envvars` for OS_* variables). */
  name: string;
  /** Keystone URL as configured (with or without /v3). */
  authUrl: string;
  auth: PasswordAuth | ApplicationCredentialAuth;
  regionName?: string;
  /** Endpoint interface in the catalog. */
  interface: 'public' | 'internal' | 'admin';
  /** Human description of where this came from, for messages: a file path or `OS_* variables`. */
  source: string;
}

/** What discovery reads; tests pass their own so the developer's real clouds.yaml never leaks in. */
export interface ConfigEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

export function processEnvironment(): ConfigEnvironment {
  return { env: process.env, cwd: process.cwd(), home: os.homedir() };
}

/** The rehearsal cloud's state directory (`resops cloud up` writes its clouds.yaml there). */
export function rehearsalCloudDir(environment: ConfigEnvironment = processEnvironment()): string {
  const { env, home } = environment;
  if (env.RESOPS_CLOUD_DIR) return path.resolve(environment.cwd, env.RESOPS_CLOUD_DIR);
  const stateHome = env.XDG_STATE_HOME || path.join(home, '.local', 'state');
  return path.join(stateHome, 'resops', 'cloud');
}

/**
 * The cloud a course should use: OS_CLOUD wins over the course's `cloud.name`, which is what lets
 * an instructor rehearse a course on `resops-local` without editing the course file.
 */
export function effectiveCloudName(courseCloudName: string, environment: ConfigEnvironment = processEnvironment()): string {
  return environment.env.OS_CLOUD || courseCloudName;
}

/** clouds.yaml files in the order they are searched (openstacksdk's order, then the rehearsal cloud's). */
export function cloudsYamlCandidates(environment: ConfigEnvironment, fileName: 'clouds.yaml' | 'secure.yaml'): string[] {
  const { env, cwd, home } = environment;
  const override = fileName === 'clouds.yaml' ? env.OS_CLIENT_CONFIG_FILE : env.OS_CLIENT_SECURE_FILE;
  const configHome = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const candidates = [
    ...(override ? [path.resolve(cwd, override)] : []),
    path.join(cwd, fileName),
    path.join(configHome, 'openstack', fileName),
    '/etc/openstack/' + fileName,
    path.join(rehearsalCloudDir(environment), fileName),
  ];
  return [...new Set(candidates)];
}

type YamlRecord = Record<string, unknown>;

function readCloudsFile(file: string): YamlRecord | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CloudConfigError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return undefined;
  const clouds = (parsed as YamlRecord).clouds;
  if (clouds === undefined) return undefined;
  if (typeof clouds !== 'object' || clouds === null || Array.isArray(clouds)) {
    throw new CloudConfigError(`${file}: clouds: must be a mapping of cloud names to settings`);
  }
  return clouds as YamlRecord;
}

function deepMerge(base: YamlRecord, extra: YamlRecord): YamlRecord {
  const out: YamlRecord = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      isRecord(current) && isRecord(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isRecord(value: unknown): value is YamlRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(record: YamlRecord, key: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

/**
 * Finds the credentials of `cloudName`: the first clouds.yaml that has the entry (merged with the
 * same entry of a secure.yaml), else OS_* variables (OS_AUTH_URL set). Returns undefined when
 * there is neither, so callers can say "not configured"; throws CloudConfigError when an entry
 * exists but is unusable.
 */
export function findCloudConfig(cloudName: string, environment: ConfigEnvironment = processEnvironment()): CloudConfig | undefined {
  for (const file of cloudsYamlCandidates(environment, 'clouds.yaml')) {
    const clouds = readCloudsFile(file);
    const entry = clouds?.[cloudName];
    if (entry === undefined) continue;
    if (!isRecord(entry)) throw new CloudConfigError(`${file}: clouds.${cloudName}: must be a mapping`);
    let merged = entry;
    let source = `${file} (clouds.${cloudName})`;
    for (const secureFile of cloudsYamlCandidates(environment, 'secure.yaml')) {
      const secure = readCloudsFile(secureFile)?.[cloudName];
      if (isRecord(secure)) {
        merged = deepMerge(merged, secure);
        source += ` + ${secureFile}`;
        break;
      }
    }
    return fromCloudsEntry(cloudName, merged, `${file}: clouds.${cloudName}`, source);
  }
  if (environment.env.OS_AUTH_URL) return fromEnvironment(cloudName, environment.env);
  return undefined;
}

/**
 * The clouds.yaml (and secure.yaml) that hold `cloudName`, as OS_CLIENT_CONFIG_FILE and
 * OS_CLIENT_SECURE_FILE for Terraform's provider: it searches fewer places than the toolkit (not
 * the rehearsal cloud's state directory), and must use the same credentials the toolkit found.
 */
export function cloudsFilesEnv(cloudName: string, environment: ConfigEnvironment = processEnvironment()): Record<string, string> {
  const holding = (fileName: 'clouds.yaml' | 'secure.yaml') =>
    cloudsYamlCandidates(environment, fileName).find((file) => isRecord(readCloudsFile(file)?.[cloudName]));
  const clouds = holding('clouds.yaml');
  if (clouds === undefined) return {};
  const secure = holding('secure.yaml');
  return { OS_CLIENT_CONFIG_FILE: clouds, ...(secure ? { OS_CLIENT_SECURE_FILE: secure } : {}) };
}

/** Where findCloudConfig looked, for "not configured" messages. */
export function describeSearch(environment: ConfigEnvironment = processEnvironment()): string {
  return `${cloudsYamlCandidates(environment, 'clouds.yaml').join(', ')} and OS_* variables`;
}

function fromCloudsEntry(name: string, entry: YamlRecord, where: string, source: string): CloudConfig {
  const auth = isRecord(entry.auth) ? entry.auth : {};
  if (entry.profile !== undefined && str(auth, 'auth_url') === undefined) {
    throw new CloudConfigError(`${where}: vendor profiles ("profile: ${String(entry.profile)}") are not supported; give auth.auth_url`);
  }
  const authUrl = str(auth, 'auth_url');
  if (!authUrl) throw new CloudConfigError(`${where}: auth.auth_url is missing`);
  const identityVersion = str(entry, 'identity_api_version');
  if (identityVersion && !identityVersion.startsWith('3')) {
    throw new CloudConfigError(`${where}: identity_api_version ${identityVersion}: only Keystone v3 is supported`);
  }
  const authType = (str(entry, 'auth_type') ?? (str(auth, 'application_credential_secret') ? 'v3applicationcredential' : 'password')).toLowerCase();
  const domain = { name: str(auth, 'domain_name'), id: str(auth, 'domain_id') };
  let parsedAuth: CloudConfig['auth'];
  if (authType === 'v3applicationcredential' || authType === 'application_credential') {
    const secret = str(auth, 'application_credential_secret');
    if (!secret) throw new CloudConfigError(`${where}: auth.application_credential_secret is missing (it may live in secure.yaml)`);
    const id = str(auth, 'application_credential_id');
    const credName = str(auth, 'application_credential_name');
    if (!id && !credName) throw new CloudConfigError(`${where}: auth.application_credential_id (or _name) is missing`);
    parsedAuth = {
      type: 'application_credential', id, name: credName, secret,
      username: str(auth, 'username'), userId: str(auth, 'user_id'),
      userDomainName: str(auth, 'user_domain_name') ?? domain.name, userDomainId: str(auth, 'user_domain_id') ?? domain.id,
    };
    if (credName && !id && !parsedAuth.username && !parsedAuth.userId) {
      throw new CloudConfigError(`${where}: auth.application_credential_name needs auth.username or auth.user_id`);
    }
  } else if (authType === 'password' || authType === 'v3password') {
    const password = str(auth, 'password');
    if (!password) throw new CloudConfigError(`${where}: auth.password is missing (it may live in secure.yaml)`);
    if (!str(auth, 'username') && !str(auth, 'user_id')) throw new CloudConfigError(`${where}: auth.username is missing`);
    parsedAuth = {
      type: 'password', password,
      username: str(auth, 'username'), userId: str(auth, 'user_id'),
      userDomainName: str(auth, 'user_domain_name') ?? domain.name, userDomainId: str(auth, 'user_domain_id') ?? domain.id,
      projectName: str(auth, 'project_name') ?? str(auth, 'tenant_name'),
      projectId: str(auth, 'project_id') ?? str(auth, 'tenant_id'),
      projectDomainName: str(auth, 'project_domain_name') ?? domain.name,
      projectDomainId: str(auth, 'project_domain_id') ?? domain.id,
    };
  } else {
    throw new CloudConfigError(`${where}: auth_type "${authType}" is not supported (use password or v3applicationcredential)`);
  }
  return {
    name, authUrl, auth: parsedAuth,
    regionName: str(entry, 'region_name'),
    interface: parseInterface(str(entry, 'interface') ?? str(entry, 'endpoint_type'), where),
    source,
  };
}

function fromEnvironment(name: string, env: NodeJS.ProcessEnv): CloudConfig {
  const where = 'OS_* variables';
  const authUrl = env.OS_AUTH_URL as string;
  const authType = (env.OS_AUTH_TYPE || (env.OS_APPLICATION_CREDENTIAL_SECRET ? 'v3applicationcredential' : 'password')).toLowerCase();
  const e = (key: string) => env[key] || undefined;
  let auth: CloudConfig['auth'];
  if (authType === 'v3applicationcredential') {
    const secret = e('OS_APPLICATION_CREDENTIAL_SECRET');
    if (!secret) throw new CloudConfigError(`${where}: OS_APPLICATION_CREDENTIAL_SECRET is not set`);
    const id = e('OS_APPLICATION_CREDENTIAL_ID');
    const credName = e('OS_APPLICATION_CREDENTIAL_NAME');
    if (!id && !credName) throw new CloudConfigError(`${where}: OS_APPLICATION_CREDENTIAL_ID is not set`);
    auth = {
      type: 'application_credential', id, name: credName, secret,
      username: e('OS_USERNAME'), userId: e('OS_USER_ID'),
      userDomainName: e('OS_USER_DOMAIN_NAME'), userDomainId: e('OS_USER_DOMAIN_ID'),
    };
  } else if (authType === 'password' || authType === 'v3password') {
    const password = e('OS_PASSWORD');
    if (!password) throw new CloudConfigError(`${where}: OS_AUTH_URL is set but OS_PASSWORD is not`);
    if (!e('OS_USERNAME') && !e('OS_USER_ID')) throw new CloudConfigError(`${where}: OS_USERNAME is not set`);
    auth = {
      type: 'password', password,
      username: e('OS_USERNAME'), userId: e('OS_USER_ID'),
      userDomainName: e('OS_USER_DOMAIN_NAME'), userDomainId: e('OS_USER_DOMAIN_ID'),
      projectName: e('OS_PROJECT_NAME') ?? e('OS_TENANT_NAME'), projectId: e('OS_PROJECT_ID') ?? e('OS_TENANT_ID'),
      projectDomainName: e('OS_PROJECT_DOMAIN_NAME'), projectDomainId: e('OS_PROJECT_DOMAIN_ID'),
    };
  } else {
    throw new CloudConfigError(`${where}: OS_AUTH_TYPE "${authType}" is not supported (use password or v3applicationcredential)`);
  }
  return {
    name, authUrl, auth,
    regionName: e('OS_REGION_NAME'),
    interface: parseInterface(e('OS_INTERFACE') ?? e('OS_ENDPOINT_TYPE'), where),
    source: where,
  };
}

function parseInterface(value: string | undefined, where: string): CloudConfig['interface'] {
  if (value === undefined) return 'public';
  const normalized = value.toLowerCase().replace(/url$/, '');
  if (normalized === 'public' || normalized === 'internal' || normalized === 'admin') return normalized;
  throw new CloudConfigError(`${where}: interface "${value}" must be public, internal or admin`);
}
