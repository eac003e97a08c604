/**
 * The course's state directory holds its secrets: Gnocchi's users, the automation key, the munge
 * key, the indexer password, Terraform state (which records every generated attribute, key pair
 * material included). Its root is kept 0700, so no other local user can even list it, whatever a
 * tool inside it does with modes (src/terraform/state-modes.ts tightens Terraform's own files too).
 */
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Course } from './model.js';

/** The state directory's root, created or tightened to 0700. */
export function privateStateRoot(course: Pick<Course, 'dir' | 'stateDir'>): string {
  const root = resolve(course.dir, course.stateDir);
  if (!existsSync(root)) mkdirSync(root, { recursive: true, mode: 0o700 });
  if ((statSync(root).mode & 0o077) !== 0) chmodSync(root, 0o700);
  return root;
}

/**
 * Writes a file only its owner can read (0600, in a 0700 folder it creates), whole or not at all:
 * a temporary file renamed over it, so a reader never sees half a token or a torn queue.
 */
export function writePrivateFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  // `wx`: never through a file (or link) already there under that name.
  rmSync(temporary, { force: true });
  writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
