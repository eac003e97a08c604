import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  // Leaves 5% of the disk free for the learner: ext4 keeps blocks for root (and its metadata), so
  // a share of the size would not fit on a cloud volume; the local target's tmpfs has neither.
  const fill = await lab.ssh('size=$(df -B1M --output=size /data | tail -1); avail=$(df -B1M --output=avail /data | tail -1); fallocate -l $(( avail - size * 5 / 100 ))M /data/fill && df -h /data | tail -1');
  if (fill.code !== 0) return lab.missing(`could not fill /data: ${fill.stderr.trim()}`);
  lab.log(`  ${fill.stdout.trim()}`);
  // A scrape and a rule evaluation (15 s each) must pass before Prometheus sees it: bounded wait.
  for (let i = 0; i < 24; i++) {
    const pending = (await lab.alerts()).some((a) => a.labels.alertname === 'DiskNearlyFull' && a.labels.learner === lab.learner.id);
    if (pending) return;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
});
