import { defineCheck } from '../../../src/exercises/kit.js';
import { FILE, metricSummary, resourceId } from '../gnocchi.js';

export default defineCheck(async (lab) => {
  const resource = await lab.gnocchi('GET', `/v1/resource/generic/${resourceId(lab)}`);
  if (resource.status === 404) return lab.missing(`no Gnocchi resource ${resourceId(lab)} yet: create it (type generic, metrics single and batch)`);
  if (resource.status !== 200) return lab.missing(`Gnocchi answered ${resource.status} for resource ${resourceId(lab)}`);
  const single = await metricSummary(lab, 'single');
  const batch = await metricSummary(lab, 'batch');
  if (single.count < 50) return lab.missing(`metric single of ${resourceId(lab)} holds ${single.count} measures: send 60, one request each`);
  if (batch.count < 50) return lab.missing(`metric batch of ${resourceId(lab)} holds ${batch.count} measures: send 60 in one request`);
  const answers = lab.answers(FILE);
  const singleSeconds = lab.numberAnswer(answers, FILE, 'single_seconds');
  const batchSeconds = lab.numberAnswer(answers, FILE, 'batch_seconds');
  const mean = lab.numberAnswer(answers, FILE, 'batch_mean');
  if (!(singleSeconds > 0 && batchSeconds > 0)) return lab.missing(`${lab.shown(lab.path(FILE))}: single_seconds and batch_seconds are durations, greater than 0`);
  if (Math.abs(mean - batch.mean) > 1e-6 * Math.max(1, Math.abs(batch.mean))) return lab.missing(`${lab.shown(lab.path(FILE))} batch_mean: ${mean} is not the mean Gnocchi computes for metric batch (read the sum and count aggregates)`);
  return `${single.count} single writes in ${singleSeconds} s against ${batch.count} in one batch in ${batchSeconds} s (×${(singleSeconds / batchSeconds).toFixed(0)}); batch mean ${batch.mean}`;
});
