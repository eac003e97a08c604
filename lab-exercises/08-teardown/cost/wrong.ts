import { estimateConsumption, estimateCost } from '../../../src/course/estimate.js';
import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';

const FILE = 'teardown/answers.yaml';
const cost = (lab: Lab) => estimateCost(lab.course, estimateConsumption(lab.course).total)!;

export default defineWrongAttempts([
  {
    name: 'writes the cost per hour instead of the total',
    attempt: async (lab) => {
      writeAnswers(lab, FILE, { total_cost: Number(cost(lab).perHour.toFixed(4)) });
    },
    says: (lab) => `${lab.shown(lab.path(FILE))} total_cost: ${Number(cost(lab).perHour.toFixed(4))} is not the total that \`resops preflight\` estimates`,
  },
  {
    name: 'writes the total with its currency',
    attempt: async (lab) => {
      writeAnswers(lab, FILE, { total_cost: `${cost(lab).total!.toFixed(2)} ${cost(lab).currency}` });
    },
    says: (lab) => `${lab.shown(lab.path(FILE))} total_cost: "${cost(lab).total!.toFixed(2)} ${cost(lab).currency}" is not a number`,
  },
]);
