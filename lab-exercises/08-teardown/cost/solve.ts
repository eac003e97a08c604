import { estimateConsumption, estimateCost } from '../../../src/course/estimate.js';
import { defineSolve } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';

export default defineSolve(async (lab) => {
  const preflight = await lab.resops(['preflight', '{course}', '--json'], { timeoutMs: 120_000 });
  lab.log(`  preflight exit ${preflight.code}`);
  const cost = estimateCost(lab.course, estimateConsumption(lab.course).total);
  writeAnswers(lab, 'teardown/answers.yaml', { total_cost: cost?.total !== undefined ? Number(cost.total.toFixed(2)) : 'unknown' });
});
