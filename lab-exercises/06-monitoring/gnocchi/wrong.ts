import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { FILE, metricSummary, resourceId, writeMeasures } from '../gnocchi.js';

export default defineWrongAttempts([
  {
    name: 'stops the one-by-one writes halfway',
    attempt: async (lab) => {
      const seconds = await writeMeasures(lab, { single: 30, batch: 60 });
      writeAnswers(lab, FILE, { single_seconds: Number(seconds.single.toFixed(3)), batch_seconds: Number(seconds.batch.toFixed(4)), batch_mean: (await metricSummary(lab, 'batch')).mean });
    },
    says: (lab) => `metric single of ${resourceId(lab)} holds 30 measures: send 60, one request each`,
  },
  {
    name: 'reads the mean of the wrong metric',
    attempt: async (lab) => {
      const seconds = await writeMeasures(lab, { single: 60, batch: 60 });
      writeAnswers(lab, FILE, { single_seconds: Number(seconds.single.toFixed(3)), batch_seconds: Number(seconds.batch.toFixed(4)), batch_mean: (await metricSummary(lab, 'single')).mean });
    },
    says: async (lab) => `${lab.shown(lab.path(FILE))} batch_mean: ${(await metricSummary(lab, 'single')).mean} is not the mean Gnocchi computes for metric batch (read the sum and count aggregates)`,
  },
]);
