/**
 * A run's options with the defaults filled in: the one place the pipeline checks them (the CLI
 * parses its flags into numbers; scale, the exercises and the tests call runPipeline directly).
 */
import { randomUUID } from 'node:crypto';
import { defaultRunStorage, type Course } from '../course/model.js';
import { TargetError } from '../targets/driver.js';
import type { PipelineOptions, RunPlan } from './model.js';

/**
 * 500,000 read pairs: each shard's work (≈12 s here) is long next to what each Slurm job costs
 * beyond it (≈3 s), so two workers give 1.66× (200,000: 1.24×; 5,000: none at all).
 * Regions are fixed, like shards, and never follow the worker count: at high depth bcftools' call
 * at a site depends on where its region starts (at 200,000 read pairs, one QUAL differed between a
 * cut in one and a cut in two), so only the same cut gives 1 and N workers the same VCF.
 */
export const DEFAULTS = { reads: 500_000, seed: 42, shards: 8, regions: 2 } as const;

/** Shard and region files are numbered with three digits (`shard-007.bam`). */
const MAX_PARTS = 999;

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `run-${stamp}-${randomUUID().slice(0, 6)}`;
}

export function planRun(course: Course, options: PipelineOptions): RunPlan {
  const storage = options.storage ?? defaultRunStorage(course.pipeline);
  const shards = options.shards ?? DEFAULTS.shards;
  // Exit code 2, as for every invalid flag: the CLI hands these values over unchecked.
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new TargetError(`--workers ${options.workers}: expected a whole number ≥ 1`, undefined, 2);
  if (!Number.isInteger(options.reads) || options.reads < 100) throw new TargetError(`--reads ${options.reads}: expected a whole number ≥ 100`, undefined, 2);
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_PARTS) throw new TargetError(`--shards ${shards}: expected a whole number from 1 to ${MAX_PARTS}`, undefined, 2);
  const regions = options.regions ?? DEFAULTS.regions;
  if (!Number.isInteger(regions) || regions < 1 || regions > MAX_PARTS) throw new TargetError(`regions ${regions}: expected a whole number from 1 to ${MAX_PARTS}`);
  return {
    run: options.runId ?? newRunId(),
    storage,
    workers: options.workers,
    reads: options.reads,
    seed: options.seed ?? DEFAULTS.seed,
    shards,
    regions,
  };
}
