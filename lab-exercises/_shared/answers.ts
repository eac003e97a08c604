/** The solutions' way of filling in the answers file (merging with what the learner wrote). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Lab } from '../../src/exercises/kit.js';

export function writeAnswers(lab: Lab, file: string, values: Record<string, unknown>): void {
  const path = lab.path(file);
  const before = lab.read(file);
  const current = before ? ((parse(before) as Record<string, unknown> | null) ?? {}) : {};
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify({ ...current, ...values }));
}
