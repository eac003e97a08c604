import { defineReset } from '../../../src/exercises/kit.js';

/** The step starts from a healthy, running VM with an empty /data. */
export default defineReset(async (lab) => {
  if (!(await lab.vm(1)).running) {
    const up = await lab.resops(['up', '{course}', '--learner', '{learner}']);
    if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code}); see its output above`);
  }
  await lab.ssh('rm -f /data/fill');
  return '/data/fill removed';
});
