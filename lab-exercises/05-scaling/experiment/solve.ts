import { defineSolve } from '../../../src/exercises/kit.js';
import { SOLUTION_READS } from '../../_shared/pipeline.js';

export default defineSolve(async (lab) => {
  const result = await lab.resops(['pipeline', 'scale', '{course}', '--learner', '{learner}', '--workers', '1,2', '--repeat', '1', '--shards', '2', '--reads', String(SOLUTION_READS)]);
  if (result.code !== 0) return lab.missing(`\`resops pipeline scale\` failed (exit ${result.code})`);
});
