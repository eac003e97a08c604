/** The solutions' queries, written where the learner would write theirs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Lab } from '../../src/exercises/kit.js';

export function writeQuery(lab: Lab, file: string, query: string): void {
  mkdirSync(dirname(lab.path(file)), { recursive: true });
  writeFileSync(lab.path(file), `${query}\n`);
}
