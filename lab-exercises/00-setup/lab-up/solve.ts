import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const up = await lab.resops(['up', '{course}', '--learner', '{learner}']);
  if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code}); see its output above`);
  if (lab.target !== 'openstack') return 'the lab is up';
  // Bounded: a VM that never lets its learner in after 3 minutes is a broken lab, said as the check says it.
  await lab.waitForLogin(lab.vmName(1), () => lab.ssh('true'));
  return 'the lab is up';
});
