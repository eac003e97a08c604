import { cheapestMeetingDeadline } from '../../../src/pipeline/amdahl.js';
import { defineCheck } from '../../../src/exercises/kit.js';
import { deadlineSeconds, experiment, t1 } from '../scaling.js';

const FILE = 'scaling/answers.yaml';

export default defineCheck(async (lab) => {
  const result = experiment(lab, new Date(0));
  const s = result.fit?.serialFraction ?? 0;
  const time1 = t1(lab, result);
  const deadline = deadlineSeconds(time1, s);
  const answers = lab.read(FILE) === undefined ? {} : lab.answers(FILE);
  if (answers.workers === undefined) return lab.missing(`no \`workers:\` answer yet in ${lab.shown(lab.path(FILE))} (deadline ${deadline} s, T(1) = ${time1.toFixed(1)} s, s = ${s.toFixed(3)})`);
  const workers = lab.numberAnswer(answers, FILE, 'workers');
  const best = cheapestMeetingDeadline(time1, s, deadline);
  if (!best) return lab.missing('no worker count meets this deadline: reset the step for a new one');
  const predicted = time1 * (s + (1 - s) / workers);
  if (workers !== best.workers) {
    return lab.missing(predicted > deadline
      ? `${workers} worker(s): predicted ${predicted.toFixed(1)} s, which misses the ${deadline} s deadline`
      : `${workers} worker(s) meet the ${deadline} s deadline (predicted ${predicted.toFixed(1)} s) but fewer would too, for less money`);
  }
  return `${workers} workers: predicted ${best.seconds.toFixed(1)} s ≤ ${deadline} s, the cheapest count that meets the deadline`;
});
