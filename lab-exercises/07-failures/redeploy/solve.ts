import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const args = ['up', '{course}'];
  const up = await lab.resops(args);
  if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code})`);
  // The next scrape (every 15 s) has to see it: wait for it, bounded.
  for (let i = 0; i < 12 && lab.course.monitoring.enabled; i++) {
    const up1 = (await lab.prometheusQuery(`up{job="node", learner="${lab.learner.id}", vm="vm1"}`))[0];
    if (up1?.value === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
});
