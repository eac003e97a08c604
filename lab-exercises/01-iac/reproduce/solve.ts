import { defineSolve } from '../../../src/exercises/kit.js';
import { appliedServer, stackDir, waitForLogin } from '../iac.js';

export default defineSolve(async (lab) => {
  if (lab.target === 'openstack') {
    for (const args of [['destroy', '-auto-approve', '-input=false'], ['apply', '-auto-approve', '-input=false']]) {
      const result = await lab.terraform(args, stackDir(lab));
      if (result.code !== 0) return lab.missing(`terraform ${args[0]} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
    }
    await waitForLogin(lab, await appliedServer(lab));
    return;
  }
  const down = await lab.resops(['down', '{course}', '--learner', '{learner}']);
  if (down.code !== 0) return lab.missing(`\`resops down\` failed (exit ${down.code})`);
  const up = await lab.resops(['up', '{course}', '--learner', '{learner}']);
  if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code})`);
});
