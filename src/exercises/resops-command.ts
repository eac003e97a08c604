/**
 * How a learner types `resops` from their own directory. `npx resops` there is not the toolkit:
 * npx goes to the npm registry for a package named `resops` and runs whatever it finds, so texts,
 * hints and check messages never show it. They show `resops` when that name on PATH is this
 * toolkit, and otherwise the toolkit's own entry point, run by node.
 */
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESOPS_BIN = fileURLToPath(new URL('../../bin/resops.mjs', import.meta.url));

export function resopsCommand(path = process.env.PATH ?? ''): string {
  const bin = realpathSync(RESOPS_BIN);
  // npm and npx put node_modules/.bin on the PATH of what they run, not on the learner's shell's.
  for (const dir of path.split(delimiter).filter((d) => d && !/node_modules[\\/]\.bin[\\/]?$/.test(d))) {
    const candidate = join(dir, 'resops');
    if (existsSync(candidate) && realpathSync(candidate) === bin) return 'resops';
  }
  return `node ${/[\s'"$`\\]/.test(RESOPS_BIN) ? `'${RESOPS_BIN.replace(/'/g, `'\\''`)}'` : RESOPS_BIN}`;
}
