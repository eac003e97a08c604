import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { experiment } from '../scaling.js';

const FILE = 'scaling/answers.yaml';

export default defineWrongAttempts([
  {
    name: 'writes a percentage',
    attempt: async (lab) => {
      // At least 2: a fit below 1% would make the percentage look like a fraction.
      writeAnswers(lab, FILE, { serial_fraction: Math.max(2, Math.round(experiment(lab, new Date(0)).fit!.serialFraction * 100)) });
    },
    says: (lab) => `${lab.shown(lab.path(FILE))} serial_fraction: ${Math.max(2, Math.round(experiment(lab, new Date(0)).fit!.serialFraction * 100))} is not a fraction between 0 and 1`,
  },
  {
    name: 'answers in words',
    attempt: async (lab) => {
      writeAnswers(lab, FILE, { serial_fraction: 'about a third' });
    },
    says: (lab) => `${lab.shown(lab.path(FILE))} serial_fraction: "about a third" is not a number`,
  },
]);
