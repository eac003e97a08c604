import { cheapestMeetingDeadline } from '../../../src/pipeline/amdahl.js';
import { defineSolve } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { deadlineSeconds, experiment, t1 } from '../scaling.js';

export default defineSolve(async (lab) => {
  const result = experiment(lab, new Date(0));
  const s = result.fit?.serialFraction ?? 0;
  const best = cheapestMeetingDeadline(t1(lab, result), s, deadlineSeconds(t1(lab, result), s));
  if (!best) return lab.missing('no worker count meets the deadline');
  writeAnswers(lab, 'scaling/answers.yaml', { workers: best.workers });
});
