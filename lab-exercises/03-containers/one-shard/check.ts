import { defineCheck } from '../../../src/exercises/kit.js';
import { describeRun } from '../../_shared/pipeline.js';

export default defineCheck(async (lab) => {
  const runs = lab.pipelineRuns();
  // The image with the reference baked in: the next step compares the cloud-native one with it.
  const run = runs.filter((r) => r.workers === 1 && r.shards === 1 && r.storage === 'volume').pop();
  if (!run) {
    const others = runs.length ? ` (${runs.length} other run(s): ${runs.map((r) => `${r.workers} worker(s)/${r.shards} shard(s) with --storage ${r.storage}`).join(', ')})` : '';
    return lab.missing(`no pipeline run with 1 worker and 1 shard (--storage volume) since you started this step${others}: run \`${lab.command('pipeline run {course} --learner {learner} --workers 1 --shards 1 --reads 2000 --storage volume')}\``);
  }
  if (run.evaluation.recall < 0.5) return lab.missing(`${describeRun(run)}: the recall is too low for a correct run; look at report.md`);
  return describeRun(run);
});
