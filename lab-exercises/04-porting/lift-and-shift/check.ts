import { defineCheck } from '../../../src/exercises/kit.js';
import { describeRun } from '../../_shared/pipeline.js';
import { latestRun, noRun } from '../porting.js';

export default defineCheck(async (lab) => {
  const run = latestRun(lab, 'volume', lab.stepStartedAt);
  if (!run) return noRun(lab, 'volume');
  return describeRun(run);
});
