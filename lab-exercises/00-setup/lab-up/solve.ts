import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const up = await lab.resops(['up', '{course}', '--learner', '{learner}']);
  if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code}); see its output above`);
  return 'the lab is up';
});
