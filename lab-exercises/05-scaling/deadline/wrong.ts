import { cheapestMeetingDeadline } from '../../../src/pipeline/amdahl.js';
import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { deadlineSeconds, experiment, t1 } from '../scaling.js';

const FILE = 'scaling/answers.yaml';

function model(lab: Lab) {
  const result = experiment(lab, new Date(0));
  const s = result.fit?.serialFraction ?? 0;
  const time1 = t1(lab, result);
  const deadline = deadlineSeconds(time1, s);
  return { deadline, best: cheapestMeetingDeadline(time1, s, deadline)!.workers, predicted: (n: number) => (time1 * (s + (1 - s) / n)).toFixed(1) };
}

export default defineWrongAttempts([
  {
    name: 'buys one worker more than the deadline needs',
    attempt: async (lab) => {
      writeAnswers(lab, FILE, { workers: model(lab).best + 1 });
    },
    says: (lab) => {
      const m = model(lab);
      return `${m.best + 1} worker(s) meet the ${m.deadline} s deadline (predicted ${m.predicted(m.best + 1)} s) but fewer would too, for less money`;
    },
  },
  {
    name: 'answers in words',
    attempt: async (lab) => {
      writeAnswers(lab, FILE, { workers: 'three or four' });
    },
    // Whatever the machine measured: the one mistake here that is wrong on every machine, even
    // one where a single worker meets the deadline (no speedup at all, as on a busy host).
    says: (lab) => `${lab.shown(lab.path(FILE))} workers: "three or four" is not a number`,
  },
]);
