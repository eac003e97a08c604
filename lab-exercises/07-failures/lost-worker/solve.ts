import { defineSolve } from '../../../src/exercises/kit.js';
import { SOLUTION_READS } from '../../_shared/pipeline.js';

export default defineSolve(async (lab) => {
  const { lost } = await lab.pipelineRunLosingAWorker({ workers: 2, shards: 4, reads: SOLUTION_READS });
  if (!lost.length) return lab.missing('the worker finished before it could be killed: run the solution again');
});
