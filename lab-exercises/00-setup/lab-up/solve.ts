import { defineSolve, StepIncomplete } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const up = await lab.resops(['up', '{course}', '--learner', '{learner}']);
  if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code}); see its output above`);
  if (lab.target !== 'openstack') return 'the lab is up';
  // Bounded: a VM that never lets its learner in after 3 minutes is a broken lab, said as the check says it.
  for (let attempt = 1; ; attempt++) {
    try {
      await lab.ssh('true');
      return 'the lab is up';
    } catch (error) {
      if (!(error instanceof StepIncomplete) || attempt >= 36) throw error;
      if (attempt === 1) lab.log(`  waiting for ${lab.vmName(1)} to let you in (it is booting)`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
});
