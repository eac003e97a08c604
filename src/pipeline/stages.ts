/**
 * The pipeline as data: its stages in order, each with where it runs and the `resops-pipeline`
 * command (containers/pipeline/resops-pipeline.py) it runs there. How a stage's progress is
 * reported follows from where it runs (orchestrator.ts):
 *
 *   every-worker  every worker at once; each pushes its own measure, the stage line is the wall
 *                 time `on all`; a worker lost here is only dropped from the rest of the run
 *   one-worker    the first live worker (the next one if it is lost); one line `on <worker>`
 *   queue         one job per shard or region on the job queue over the live workers; a line per
 *                 job done, each worker pushes its running totals, the stage line counts the jobs
 *
 * The number of shards does not depend on the number of workers, so every worker count aligns
 * exactly the same reads into the same BAMs. Sites are called independently, so the gathered
 * regions equal one call over the whole genome whatever the cut: the VCF is byte-identical with
 * 1 or N workers.
 */
import type { QueueStageName, RunPlan, Stage } from './model.js';

interface StageBase {
  command: string;
}

export interface EveryWorkerStage extends StageBase {
  name: Stage;
  spread: 'every-worker';
}

export interface OneWorkerStage extends StageBase {
  name: Stage;
  spread: 'one-worker';
  args: (plan: RunPlan) => string[];
}

export interface QueueStage extends StageBase {
  name: QueueStageName;
  spread: 'queue';
  jobs: (plan: RunPlan) => number;
  args: (plan: RunPlan, job: number) => string[];
}

export type StageSpec = EveryWorkerStage | OneWorkerStage | QueueStage;

export const PIPELINE_STAGES: readonly StageSpec[] = [
  // The worker resolves its reference: baked in, or fetched and indexed (the image's start-up).
  { name: 'ready', spread: 'every-worker', command: 'ready' },
  // dwgsim -M: the known SNPs (truth VCF) every shard's reads carry.
  { name: 'simulate', spread: 'one-worker', command: 'simulate', args: (p) => [`seed=${p.seed}`] },
  // Per shard: its reads simulated (own seed) → fastp → bwa mem → sort.
  {
    name: 'align',
    spread: 'queue',
    command: 'shard',
    jobs: (p) => p.shards,
    args: (p, shard) => [`index=${shard}`, `shards=${p.shards}`, `reads=${p.reads}`, `seed=${p.seed}`],
  },
  // samtools merge + index.
  { name: 'merge', spread: 'one-worker', command: 'merge', args: (p) => [`shards=${p.shards}`] },
  // Per region: bcftools mpileup -r | call -mv (calling scattered by region, then gathered).
  { name: 'call', spread: 'queue', command: 'call', jobs: (p) => p.regions, args: (p, region) => [`index=${region}`, `regions=${p.regions}`] },
  // bcftools concat of the regions' VCFs.
  { name: 'gather', spread: 'one-worker', command: 'gather', args: (p) => [`regions=${p.regions}`] },
  // Precision / recall / F1 against the truth.
  { name: 'evaluate', spread: 'one-worker', command: 'evaluate', args: () => [] },
];
