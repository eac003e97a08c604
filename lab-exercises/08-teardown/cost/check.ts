import { estimateConsumption, estimateCost } from '../../../src/course/estimate.js';
import { defineCheck } from '../../../src/exercises/kit.js';

const FILE = 'teardown/answers.yaml';

export default defineCheck(async (lab) => {
  const cost = estimateCost(lab.course, estimateConsumption(lab.course).total);
  const answers = lab.answers(FILE);
  if (!cost || cost.total === undefined) {
    if (answers.total_cost !== 'unknown') return lab.missing(`${lab.shown(lab.path(FILE))} total_cost: the course file has no prices or no dates, so the answer is "unknown"`);
    return 'no prices or dates in the course file: the cost is unknown, ask your cloud provider for its rates';
  }
  const answer = lab.numberAnswer(answers, FILE, 'total_cost');
  if (Math.abs(answer - cost.total) > Math.max(0.01, cost.total * 0.01)) return lab.missing(`${lab.shown(lab.path(FILE))} total_cost: ${answer} is not the total that \`resops preflight\` estimates`);
  return `the course costs about ${cost.total.toFixed(2)} ${cost.currency} (${cost.perHour.toFixed(4)} ${cost.currency} per hour)`;
});
