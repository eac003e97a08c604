/** What the pipeline exercises ask of the runs the learner made. */
import type { Lab, PipelineRunSummary } from '../../src/exercises/kit.js';

/** Read pairs the solutions use: small enough for a minute on two cores, enough for recall ≥ 0.9. */
export const SOLUTION_READS = 2000;

export function describeRun(run: PipelineRunSummary): string {
  return `run ${run.run} (${run.workers} worker(s), ${run.shards} shard(s), storage ${run.storage}, ${run.reads} read pairs): ${run.wallSeconds.toFixed(1)} s, recall ${run.evaluation.recall.toFixed(2)}, precision ${run.evaluation.precision.toFixed(2)}`;
}

export async function runPipeline(lab: Lab, args: string[]): Promise<void> {
  const result = await lab.resops(['pipeline', 'run', '{course}', '--learner', '{learner}', ...args]);
  if (result.code !== 0) lab.missing(`\`resops pipeline run\` failed (exit ${result.code})`);
}
