import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const fill = await lab.ssh('size=$(df -B1M --output=size /data | tail -1); fallocate -l $(( size * 94 / 100 ))M /data/fill && df -h /data | tail -1');
  if (fill.code !== 0) return lab.missing(`could not fill /data: ${fill.stderr.trim()}`);
  lab.log(`  ${fill.stdout.trim()}`);
  // A scrape and a rule evaluation (15 s each) must pass before Prometheus sees it: bounded wait.
  for (let i = 0; i < 24; i++) {
    const pending = (await lab.alerts()).some((a) => a.labels.alertname === 'DiskNearlyFull' && a.labels.learner === lab.learner.id);
    if (pending) return;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
});
