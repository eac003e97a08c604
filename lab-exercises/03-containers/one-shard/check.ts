import { defineCheck } from '../../../src/exercises/kit.js';
import { describeRun } from '../../_shared/pipeline.js';

export default defineCheck(async (lab) => {
  const runs = lab.pipelineRuns();
  const run = runs.filter((r) => r.workers === 1 && r.shards === 1).pop();
  if (!run) return lab.missing(`no pipeline run with 1 worker and 1 shard since you started this step${runs.length ? ` (${runs.length} other run(s): ${runs.map((r) => `${r.workers} worker(s)/${r.shards} shard(s)`).join(', ')})` : ''}: run \`npx resops pipeline run ${lab.vars().course_file} --workers 1 --shards 1 --reads 2000\``);
  if (run.evaluation.recall < 0.5) return lab.missing(`${describeRun(run)}: the recall is too low for a correct run; look at report.md`);
  return describeRun(run);
});
