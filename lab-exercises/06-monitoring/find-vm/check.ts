import { defineCheck } from '../../../src/exercises/kit.js';

const FILE = 'monitoring/my-vms.promql';

export default defineCheck(async (lab) => {
  const query = lab.read(FILE)?.trim();
  if (!query) return lab.missing(`no query in ${lab.shown(lab.path(FILE))} yet`);
  const samples = await lab.prometheusQuery(query);
  if (!samples.length) return lab.missing(`\`${query}\` returns nothing: check the metric name and your label matchers in the Prometheus UI (${lab.urls().prometheus})`);
  const others = samples.filter((s) => s.metric.learner !== lab.learner.id);
  if (others.length) return lab.missing(`\`${query}\` also returns ${others.length} series that are not your VMs (${[...new Set(others.map((s) => s.metric.instance ?? JSON.stringify(s.metric)))].slice(0, 3).join(', ')}): select on the learner label`);
  const names = new Set(samples.map((s) => s.metric.__name__ ?? 'node_load1'));
  if (!names.has('node_load1')) return lab.missing(`\`${query}\` returns ${[...names].join(', ')}, not node_load1`);
  const instances = new Set(samples.map((s) => s.metric.instance));
  if (instances.size !== lab.learner.vms) return lab.missing(`\`${query}\` returns ${instances.size} of your ${lab.learner.vms} VM(s)`);
  return `\`${query}\`: ${samples.map((s) => `${s.metric.instance} load ${s.value}`).join(', ')}`;
});
