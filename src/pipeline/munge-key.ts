/** The course's munge key: what authenticates the nodes of its Slurm cluster to each other, on both targets. */
import { privateStateRoot } from '../course/private-state.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Course } from '../course/model.js';

/** 1024 random bytes, made on first use, kept 0600 in the course's state directory (pipeline/munge.key). */
export function mungeKey(course: Pick<Course, 'dir' | 'stateDir'>): Buffer {
  const file = join(resolve(course.dir, course.stateDir), 'pipeline', 'munge.key');
  if (!existsSync(file)) {
    privateStateRoot(course);
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(1024), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file);
}
