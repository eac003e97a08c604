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
    name: 'takes one worker to save money and misses the deadline',
    attempt: async (lab) => {
      writeAnswers(lab, FILE, { workers: 1 });
    },
    says: (lab) => {
      const m = model(lab);
      // With no speedup at all one worker is the answer; the tests' runs always have some.
      return m.best > 1 ? `1 worker(s): predicted ${m.predicted(1)} s, which misses the ${m.deadline} s deadline` : 'one worker meets the deadline: this mistake cannot be made here';
    },
  },
]);
