import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { latestRun } from '../porting.js';

const FILE = 'porting/answers.yaml';

function measured(lab: Lab) {
  const volume = latestRun(lab, 'volume', new Date(0))!;
  const object = latestRun(lab, 'object', new Date(0))!;
  const [fast, slow] = volume.wallSeconds <= object.wallSeconds ? [volume, object] : [object, volume];
  return { volume, object, fast, slow, percent: Number(((slow.wallSeconds / fast.wallSeconds - 1) * 100).toFixed(1)) };
}

export default defineWrongAttempts([
  {
    name: 'names the slower storage as the faster',
    attempt: async (lab) => {
      const m = measured(lab);
      writeAnswers(lab, FILE, { faster: m.slow.storage, slower_by_percent: m.percent });
    },
    says: (lab) => {
      const m = measured(lab);
      return `${lab.shown(lab.path(FILE))}: faster: "${m.slow.storage}" — your runs say otherwise (${m.volume.wallSeconds.toFixed(1)} s with volume, ${m.object.wallSeconds.toFixed(1)} s with object)`;
    },
  },
  {
    name: 'writes the ratio × 100 and forgets the − 1',
    attempt: async (lab) => {
      const m = measured(lab);
      writeAnswers(lab, FILE, { faster: m.fast.storage, slower_by_percent: Number((m.percent + 100).toFixed(1)) });
    },
    says: (lab) => `${lab.shown(lab.path(FILE))}: slower_by_percent: ${Number((measured(lab).percent + 100).toFixed(1))} is not (slower / faster − 1) × 100 of your runs`,
  },
]);
