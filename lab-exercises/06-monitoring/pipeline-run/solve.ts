import { defineSolve } from '../../../src/exercises/kit.js';
import { runPipeline, SOLUTION_READS } from '../../_shared/pipeline.js';
import { writeQuery } from '../promql.js';

export default defineSolve(async (lab) => {
  if (!lab.pipelineRuns(new Date(0)).length) await runPipeline(lab, ['--workers', '1', '--shards', '1', '--reads', String(SOLUTION_READS)]);
  const mine = lab.pipelineRuns(new Date(0)).map((r) => r.run);
  // A run that just finished is in Prometheus after its next scrape of the Pushgateway (15 s).
  for (let attempt = 0; attempt < 12; attempt++) {
    const seen = new Set((await lab.prometheusQuery('count by (run) (resops_pipeline_stage_duration_seconds)')).map((s) => s.metric.run));
    const run = [...mine].reverse().find((r) => seen.has(r));
    if (run) {
      writeQuery(lab, 'monitoring/run.promql', `resops_pipeline_stage_duration_seconds{run="${run}"}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  return lab.missing(`none of your runs (${mine.slice(-3).join(', ')}) reached Prometheus in a minute: is the Pushgateway scraped?`);
});
