/**
 * Terraform writes its state 0644, and the state records every attribute of what it made (key
 * pairs' public halves, generated names, the provider's view of ports): after each run the
 * course's state files are made 0600 and their folder 0700, inside a 0700 state root.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Course } from '../course/model.js';
import { privateStateRoot } from '../course/private-state.js';
import { terraformStateDir } from './applied-configs.js';

const STATE_FILE = /\.tfstate(\.\d+)?(\.backup)?$/;

export function protectTerraformState(course: Pick<Course, 'dir' | 'stateDir'>): void {
  privateStateRoot(course);
  const dir = terraformStateDir(course);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return;
  }
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir)) {
    if (!STATE_FILE.test(entry)) continue;
    const file = join(dir, entry);
    const stat = statSync(file);
    if (stat.isFile() && (stat.mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}
