/**
 * The EC2 credentials pipeline runs make, written down while they live. A run deletes its own
 * when it ends; a run that was killed cannot, and Keystone's EC2 credentials carry no label a
 * leak check could find, so the next run deletes what this ledger still lists. Only the access
 * key id is kept (it names the credential; the secret never touches the disk).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Course } from '../course/model.js';

export interface CredentialApi {
  createEc2Credential(userId: string, projectId: string): Promise<{ access: string; secret: string }>;
  deleteEc2Credential(userId: string, access: string): Promise<void>;
}

interface Entry {
  access: string;
  userId: string;
  run: string;
}

export function ledgerFile(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return resolve(course.dir, course.stateDir, 'pipeline', 'ec2-credentials.json');
}

function read(file: string): Entry[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? parsed.filter((e): e is Entry => typeof e?.access === 'string' && typeof e?.userId === 'string') : [];
  } catch {
    return [];
  }
}

function write(file: string, entries: Entry[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * Deletes the credentials earlier runs left (how many), then makes this run's and writes it
 * down; `forget` deletes it and crosses it out.
 */
export async function runCredential(api: CredentialApi, file: string, userId: string, projectId: string, run: string) {
  const left = read(file);
  const kept: Entry[] = [];
  for (const entry of left) {
    try {
      await api.deleteEc2Credential(entry.userId, entry.access);
    } catch {
      kept.push(entry);
    }
  }
  const credential = await api.createEc2Credential(userId, projectId);
  write(file, [...kept, { access: credential.access, userId, run }]);
  return {
    credential,
    deletedLeftovers: left.length - kept.length,
    forget: async () => {
      await api.deleteEc2Credential(userId, credential.access);
      write(file, read(file).filter((e) => e.access !== credential.access));
    },
  };
}
