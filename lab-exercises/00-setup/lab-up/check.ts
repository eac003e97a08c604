import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  const vm = await lab.requireVm(1);
  // Up means you can log in: a cloud server is ACTIVE well before cloud-init has let anyone in
  // (a local VM container runs sshd from its start).
  if (lab.target === 'openstack') await lab.ssh('true');
  const monitoring = lab.course.monitoring.enabled ? await lab.prometheusQuery('up{job="node"}') : [];
  if (lab.course.monitoring.enabled && monitoring.length === 0) return lab.missing(`${vm.name} runs, but Prometheus (${lab.urls().prometheus}) scrapes no node yet: wait a few seconds and check again`);
  return `${vm.name} is running (${vm.state})${lab.target === 'openstack' ? ' and lets you in over SSH' : ''}${monitoring.length ? `, and Prometheus scrapes ${monitoring.length} node(s)` : ''}`;
});
