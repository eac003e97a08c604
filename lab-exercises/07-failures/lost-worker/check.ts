import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  const runs = lab.pipelineRuns();
  const lost = runs.filter((r) => r.lostWorkers.length > 0).pop();
  if (!lost) return lab.missing(`no run that lost a worker since you started this step (${runs.length} run(s) without a failure): kill a worker during the align stage`);
  const clean = lab.pipelineRuns(new Date(0)).filter((r) => r.lostWorkers.length === 0 && r.reads === lost.reads && r.seed === lost.seed && r.shards === lost.shards).pop();
  const same = clean ? ` — the same accuracy as run ${clean.run} without a failure: ${clean.evaluation.truePositives === lost.evaluation.truePositives && clean.evaluation.falsePositives === lost.evaluation.falsePositives ? 'yes' : 'NO'}` : '';
  if (lost.evaluation.recall < 0.5) return lab.missing(`run ${lost.run} lost ${lost.lostWorkers.join(', ')} and its recall is ${lost.evaluation.recall.toFixed(2)}: shards were lost`);
  return `run ${lost.run} lost ${lost.lostWorkers.join(', ')} and still found ${lost.evaluation.truePositives}/${lost.evaluation.truth} SNPs${same}`;
});
