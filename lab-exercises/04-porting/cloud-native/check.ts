import { defineCheck } from '../../../src/exercises/kit.js';
import { describeRun } from '../../_shared/pipeline.js';
import { latestRun } from '../porting.js';

export default defineCheck(async (lab) => {
  const run = latestRun(lab, 'object', lab.stepStartedAt);
  if (!run) return lab.missing(`no run with --storage object and at least 2 workers since you started this step: run \`npx resops pipeline run ${lab.vars().course_file} --workers 2 --reads 5000 --storage object\``);
  return describeRun(run);
});
