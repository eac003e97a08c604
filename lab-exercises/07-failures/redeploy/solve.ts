import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  // The learner's own lab only: the course's shared parts and the others' VMs are not theirs to change.
  const up = await lab.resops(['up', '{course}', '--learner', '{learner}']);
  if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code})`);
  // The next scrape (every 15 s) has to see it: wait for it, bounded. A cloud server boots,
  // installs node-exporter and must be discovered through Nova first: minutes, not seconds.
  for (let i = 0; i < (lab.target === 'local' ? 12 : 60) && lab.course.monitoring.enabled; i++) {
    const up1 = (await lab.prometheusQuery(`up{job="node", learner="${lab.learner.id}", vm="vm1"}`))[0];
    if (up1?.value === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
});
