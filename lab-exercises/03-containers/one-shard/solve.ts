import { defineSolve } from '../../../src/exercises/kit.js';
import { runPipeline, SOLUTION_READS } from '../../_shared/pipeline.js';

export default defineSolve(async (lab) => {
  await runPipeline(lab, ['--workers', '1', '--shards', '1', '--reads', String(SOLUTION_READS), '--storage', 'volume']);
});
