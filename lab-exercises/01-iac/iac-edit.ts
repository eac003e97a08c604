/** What the solutions of this exercise do to the learner's main.ts: text edits, then a synth. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Lab } from '../../src/exercises/kit.js';

export function editMain(lab: Lab, edit: (text: string) => string): void {
  const file = lab.path('iac', 'main.ts');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) return;
  writeFileSync(file, after);
}

export async function synth(lab: Lab): Promise<void> {
  const result = await lab.exec('npx', ['tsx', 'main.ts'], { cwd: lab.path('iac'), timeoutMs: 120_000 });
  if (result.code !== 0) return lab.missing(`\`npx tsx main.ts\` failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
}
