import { defineSolve } from '../../../src/exercises/kit.js';
import { runPipeline } from '../../_shared/pipeline.js';
import { SOLUTION_ARGS } from '../porting.js';

export default defineSolve(async (lab) => {
  await runPipeline(lab, [...SOLUTION_ARGS, '--storage', 'object']);
});
