import { defineReset } from '../../../src/exercises/kit.js';

/** The step starts with the lab up: whatever was removed or stopped comes back from the course file. */
export default defineReset(async (lab) => {
  const up = await lab.resops(['up', '{course}', '--learner', '{learner}']);
  if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code}); see its output above`);
  return 'the lab is up again';
});
