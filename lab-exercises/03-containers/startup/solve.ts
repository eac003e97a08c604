import { defineSolve } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { runPipeline, SOLUTION_READS } from '../../_shared/pipeline.js';

export default defineSolve(async (lab) => {
  const oneShard = () => lab.pipelineRuns(new Date(0)).filter((r) => r.workers === 1 && r.shards === 1);
  if (!oneShard().some((r) => r.storage === 'volume')) await runPipeline(lab, ['--workers', '1', '--shards', '1', '--reads', String(SOLUTION_READS), '--storage', 'volume']);
  await runPipeline(lab, ['--workers', '1', '--shards', '1', '--reads', String(SOLUTION_READS), '--storage', 'object']);
  const runs = oneShard();
  writeAnswers(lab, 'containers/answers.yaml', {
    ready_reference_in_image_s: Number(runs.filter((r) => r.storage === 'volume').pop()!.startup.readySeconds.toFixed(2)),
    ready_fetch_at_runtime_s: Number(runs.filter((r) => r.storage === 'object').pop()!.startup.readySeconds.toFixed(2)),
  });
});
