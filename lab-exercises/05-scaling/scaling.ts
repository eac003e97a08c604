/** The scaling experiment of step 1, as later steps read it. */
import type { Lab } from '../../src/exercises/kit.js';

export function experiment(lab: Lab, since: Date) {
  const result = lab.scaleResult(since);
  if (!result) return lab.missing(`no scaling experiment since ${since.getTime() ? 'you started this step' : 'the start'}: run \`${lab.command(`pipeline scale {course} --learner {learner} --workers ${lab.scaleCounts()} --repeat 1`)}\``);
  return result;
}

export function t1(lab: Lab, result: ReturnType<typeof experiment>): number {
  const row = result.rows.find((r) => r.workers === 1);
  if (!row) return lab.missing('your scaling experiment has no 1-worker runs: include 1 in --workers');
  return row.medianSeconds;
}

/** The deadline of step 3: what the fitted model predicts for 3 workers, rounded up to 0.1 s. */
export function deadlineSeconds(t1Seconds: number, serialFraction: number): number {
  return Math.ceil(t1Seconds * (serialFraction + (1 - serialFraction) / 3) * 10) / 10;
}
