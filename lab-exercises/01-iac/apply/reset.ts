import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineReset } from '../../../src/exercises/kit.js';
import { stackDir } from '../iac.js';

/** The step began with nothing applied: what an apply made goes, before its files are put back (with the state). */
export default defineReset(async (lab) => {
  if (!existsSync(join(stackDir(lab), '.terraform'))) return;
  const destroyed = await lab.terraform(['destroy', '-auto-approve', '-input=false'], stackDir(lab));
  if (destroyed.code !== 0) return lab.missing(`terraform destroy failed (exit ${destroyed.code}): your servers are still there; run it yourself in ${lab.shown(stackDir(lab))}`);
});
