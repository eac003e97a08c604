import { defineSetup } from '../../../src/exercises/kit.js';
import { deadlineSeconds, experiment, t1 } from '../scaling.js';

export default defineSetup(async (lab) => {
  const result = experiment(lab, new Date(0));
  const s = result.fit?.serialFraction ?? 0;
  return `your deadline: ${deadlineSeconds(t1(lab, result), s)} s per run (T(1) = ${t1(lab, result).toFixed(1)} s, s = ${s.toFixed(3)})`;
});
