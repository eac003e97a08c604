import { defineCheck } from '../../../src/exercises/kit.js';
import { describeRun } from '../../_shared/pipeline.js';
import { latestRun, noRun } from '../porting.js';

export default defineCheck(async (lab) => {
  const run = latestRun(lab, 'object', lab.stepStartedAt);
  if (!run) return noRun(lab, 'object');
  return describeRun(run);
});
