import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument, stringify } from 'yaml';

/**
 * The rehearsal cloud's clouds.yaml in its state directory: written 0600 (it holds passwords),
 * entries of other clouds in the same file are kept.
 */

export const LOCAL_CLOUD = 'resops-local';
export const KEYSTONE_URL = 'http://127.0.0.1:5000/v3';
export const REGION = 'RegionOne';

export interface CloudEntry {
  auth: {
    auth_url: string;
    username: string;
    password: string;
    project_name: string;
    user_domain_name: string;
    project_domain_name: string;
  };
  region_name: string;
  interface: 'public';
  identity_api_version: 3;
}

export function cloudEntry(username: string, password: string, projectName: string): CloudEntry {
  return {
    auth: {
      auth_url: KEYSTONE_URL,
      username,
      password,
      project_name: projectName,
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    },
    region_name: REGION,
    interface: 'public',
    identity_api_version: 3,
  };
}

export function cloudsYamlPath(stateDir: string): string {
  return path.join(stateDir, 'clouds.yaml');
}

type Clouds = Record<string, unknown>;

export function readClouds(stateDir: string): Clouds {
  const file = cloudsYamlPath(stateDir);
  if (!existsSync(file)) return {};
  const parsed = parseDocument(readFileSync(file, 'utf8')).toJS() as { clouds?: Clouds } | null;
  return parsed?.clouds ?? {};
}

/** The password of an entry, if the file has it. */
export function storedPassword(stateDir: string, cloud: string): string | undefined {
  const entry = readClouds(stateDir)[cloud] as { auth?: { password?: unknown } } | undefined;
  const password = entry?.auth?.password;
  return typeof password === 'string' ? password : undefined;
}

/** Adds or replaces entries; `remove` drops entries (by exact name or `prefix*`). Atomic, 0600. */
export function writeClouds(stateDir: string, entries: Record<string, CloudEntry>, remove: string[] = []): string {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const clouds = readClouds(stateDir);
  for (const pattern of remove) {
    for (const name of Object.keys(clouds)) {
      if (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern) delete clouds[name];
    }
  }
  Object.assign(clouds, entries);
  const file = cloudsYamlPath(stateDir);
  const temporary = `${file}.${process.pid}.tmp`;
  const header = '# Written by `resops cloud up`: credentials of the local rehearsal cloud. Keep private.\n';
  writeFileSync(temporary, header + stringify({ clouds }), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return file;
}
