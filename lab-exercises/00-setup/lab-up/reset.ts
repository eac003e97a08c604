import { defineReset } from '../../../src/exercises/kit.js';

/** The step starts with no lab: whatever `up` made goes. */
export default defineReset(async (lab) => {
  const down = await lab.resops(['down', '{course}', '--learner', '{learner}']);
  if (down.code !== 0) return lab.missing(`\`resops down\` failed (exit ${down.code}); see its output above`);
  return 'the lab is down';
});
