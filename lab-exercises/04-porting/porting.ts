/** The runs this exercise compares: the latest volume and object runs of the same size. */
import type { Lab, PipelineRunSummary, WrongAttempt } from '../../src/exercises/kit.js';
import { runPipeline } from '../_shared/pipeline.js';

export function latestRun(lab: Lab, storage: 'volume' | 'object', since: Date): PipelineRunSummary | undefined {
  return lab.pipelineRuns(since).filter((r) => r.storage === storage && r.workers >= 2 && r.shards >= 2).pop();
}

/** The step's run is missing: say so, listing the runs made since the step started that do not count. */
export function noRun(lab: Lab, storage: 'volume' | 'object'): never {
  const others = lab.pipelineRuns();
  const listed = others.length ? ` (${others.length} other run(s): ${others.map((r) => `${r.workers} worker(s)/${r.shards} shard(s) with --storage ${r.storage}`).join(', ')})` : '';
  return lab.missing(`no run with --storage ${storage} and at least 2 workers since you started this step${listed}: run \`${lab.command(`pipeline run {course} --learner {learner} --workers 2 --reads 5000 --storage ${storage}`)}\``);
}

export const SOLUTION_ARGS = ['--workers', '2', '--shards', '2', '--reads', '2000'];

/**
 * The two mistakes of each run step: the other storage (the solution's run of the other step, so
 * that `compare` still compares like with like), and the right storage on one worker. In this
 * order, the cluster changes image (volume ↔ object) twice in the exercise instead of at every run.
 */
export function wrongRuns(storage: 'volume' | 'object'): WrongAttempt[] {
  const other = storage === 'volume' ? 'object' : 'volume';
  const expected = (lab: Lab, run: string) =>
    `no run with --storage ${storage} and at least 2 workers since you started this step (1 other run(s): ${run}): run \`${lab.command(`pipeline run {course} --learner {learner} --workers 2 --reads 5000 --storage ${storage}`)}\``;
  return [
    {
      name: `runs with --storage ${other}`,
      attempt: (lab) => runPipeline(lab, [...SOLUTION_ARGS, '--storage', other]),
      says: (lab) => expected(lab, `2 worker(s)/2 shard(s) with --storage ${other}`),
    },
    {
      name: 'runs on one worker',
      attempt: (lab) => runPipeline(lab, ['--workers', '1', '--shards', '2', '--reads', '500', '--storage', storage]),
      says: (lab) => expected(lab, `1 worker(s)/2 shard(s) with --storage ${storage}`),
    },
  ];
}
