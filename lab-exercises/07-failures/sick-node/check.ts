import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  await lab.requireVm(1);
  const instance = (await lab.prometheusQuery(`up{job="node", learner="${lab.learner.id}", vm="vm1"}`))[0];
  if (!instance) return lab.missing(`Prometheus does not scrape ${lab.vmName(1)} (no up{learner="${lab.learner.id}", vm="vm1"}): is the monitoring up?`);
  const alert = (await lab.alerts()).find((a) => a.labels.alertname === 'DiskNearlyFull' && a.labels.learner === lab.learner.id && a.labels.vm === 'vm1');
  if (!alert) {
    const free = await lab.prometheusQuery(`instance:node_filesystem_avail:ratio{learner="${lab.learner.id}", vm="vm1", mountpoint="/data"}`);
    const used = free[0] ? `${((1 - free[0].value) * 100).toFixed(0)}% used` : 'not measured yet';
    return lab.missing(`no DiskNearlyFull alert for ${lab.vmName(1)} yet: Prometheus says /data is ${used} (the alert wants more than 90%)`);
  }
  if (instance.value !== 1) return lab.missing(`DiskNearlyFull is ${alert.state}, but ${lab.vmName(1)} is down (up == 0): that is a dead node, not a sick one`);
  return `DiskNearlyFull is ${alert.state} for ${lab.vmName(1)} (${alert.labels.mountpoint}) while up == 1: sick, not dead${alert.state === 'pending' ? ' — it fires after holding 10 minutes' : ''}`;
});
