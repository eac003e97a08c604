/** The runs this exercise compares: the latest volume and object runs of the same size. */
import type { Lab, PipelineRunSummary } from '../../src/exercises/kit.js';

export function latestRun(lab: Lab, storage: 'volume' | 'object', since: Date): PipelineRunSummary | undefined {
  return lab.pipelineRuns(since).filter((r) => r.storage === storage && r.workers >= 2 && r.shards >= 2).pop();
}

export const SOLUTION_ARGS = ['--workers', '2', '--reads', '2000'];
