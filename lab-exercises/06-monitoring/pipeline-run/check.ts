import { defineCheck } from '../../../src/exercises/kit.js';

const FILE = 'monitoring/run.promql';

export default defineCheck(async (lab) => {
  const query = lab.read(FILE)?.trim();
  if (!query) return lab.missing(`no query in ${lab.shown(lab.path(FILE))} yet`);
  const samples = await lab.prometheusQuery(query);
  if (!samples.length) return lab.missing(`\`${query}\` returns nothing: look for resops_pipeline_stage_duration_seconds in the Prometheus UI (${lab.urls().prometheus})`);
  const runs = new Set(samples.map((s) => s.metric.run));
  if (runs.has(undefined as unknown as string) || !samples.every((s) => s.metric.stage)) return lab.missing(`\`${query}\` returns series without run and stage labels: select resops_pipeline_stage_duration_seconds`);
  if (runs.size > 1) return lab.missing(`\`${query}\` returns ${runs.size} runs (${[...runs].slice(0, 3).join(', ')}…): select one with the run label`);
  const run = [...runs][0]!;
  const mine = lab.pipelineRuns(new Date(0)).map((r) => r.run);
  if (!mine.includes(run)) return lab.missing(`run ${run} is not one of the runs in your state directory (${mine.slice(-3).join(', ')})`);
  const longest = samples.reduce((a, b) => (b.value > a.value ? b : a));
  return `${samples.length} stage timings of run ${run}; the longest: ${longest.metric.stage} (${longest.value.toFixed(2)} s on ${longest.metric.worker ?? '?'})`;
});
