import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineSolve } from '../../../src/exercises/kit.js';
import { stackDir } from '../../01-iac/iac.js';

export default defineSolve(async (lab) => {
  // The stack the learner wrote in exercise 01 is theirs, not the course's: `down` does not know
  // it, and its server's port holds their subnet, so it goes first.
  if (lab.target === 'openstack' && existsSync(join(stackDir(lab), '.terraform'))) {
    const destroyed = await lab.terraform(['destroy', '-auto-approve', '-input=false'], stackDir(lab));
    if (destroyed.code !== 0) return lab.missing(`terraform destroy of your own stack failed (exit ${destroyed.code})`);
  }
  const down = await lab.resops(['down', '{course}', '--learner', '{learner}', ...(lab.target === 'openstack' ? ['--sweep'] : [])]);
  if (down.code !== 0) return lab.missing(`\`resops down\` failed (exit ${down.code})`);
});
