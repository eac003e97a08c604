import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const down = await lab.resops(['down', '{course}', '--learner', '{learner}', ...(lab.target === 'openstack' ? ['--sweep'] : [])]);
  if (down.code !== 0) return lab.missing(`\`resops down\` failed (exit ${down.code})`);
});
