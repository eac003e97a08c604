/**
 * `runPipeline`: one run of the variant-calling pipeline on the course's Slurm cluster of N worker
 * containers (cluster.ts), Snakemake submitting its jobs (slurm-engine.ts); metrics go out through
 * run-metrics.ts and the report is written by report.ts. This file puts them together and
 * assembles the result.
 */
import { resolve } from 'node:path';
import type Docker from 'dockerode';
import type { Course } from '../course/model.js';
import type { Progress } from '../local/progress.js';
import { ensureLocalCluster } from './cluster.js';
import { runOnSlurm } from './slurm-engine.js';
import { connectDocker } from '../local/docker.js';
import { stderrProgress } from '../local/progress.js';
import { imageSizes } from './images.js';
import type { Evaluation, PipelineOptions, PipelineResult, RunPlan } from './model.js';
import { planRun } from './options.js';
import { writeReport } from './report.js';
import { RunMetrics } from './run-metrics.js';
import { recordStartup } from './startup-record.js';

export type { Evaluation, MetricsEndpointsOption, PipelineEvent, PipelineOptions, PipelineResult, RunImage, Stage, StageTiming } from './model.js';
export { STAGES } from './model.js';
export { DEFAULTS, newRunId } from './options.js';
export { defaultEndpoints } from './run-metrics.js';

export async function runPipeline(course: Course, options: PipelineOptions): Promise<PipelineResult> {
  // Timeouts of fetch do not hold the process open; a silent peer would let Node exit mid-run.
  const keepAlive = setInterval(() => undefined, 10_000);
  try {
    return await runPipelineInner(course, options);
  } finally {
    clearInterval(keepAlive);
  }
}

async function runPipelineInner(course: Course, options: PipelineOptions): Promise<PipelineResult> {
  const plan = planRun(course, options);
  const progress = options.progress ?? stderrProgress();
  const docker = options.docker ?? (await connectDocker()).docker;
  const metrics = new RunMetrics(course, options.metrics, plan.run);

  const outcome = await onSlurm(docker, course, plan, progress, options, metrics);
  const { infra, shardJobs, wallSeconds, readySeconds, vcf } = outcome;
  const metricsSummary = await metrics.finish([...new Set([...infra.workers.map((w) => w.id), ...outcome.reporters])], shardJobs);
  if (metricsSummary.problem) progress.step(`metrics not pushed: ${metricsSummary.problem}`);

  const startups = recordStartup(resolve(course.dir, course.stateDir, 'pipeline', 'startup.json'), infra.image, { containerStartSeconds: infra.startSeconds, readySeconds, run: plan.run });
  const images = (await imageSizes(docker, plan.storage)).map((i) => (startups[i.image] ? { ...i, startup: startups[i.image] } : i));
  const result: PipelineResult = {
    course: course.id,
    run: plan.run,
    storage: plan.storage,
    workers: plan.workers,
    reads: plan.reads,
    seed: plan.seed,
    shards: plan.shards,
    regions: plan.regions,
    wallSeconds,
    stages: outcome.timings,
    shardJobs,
    lostWorkers: outcome.lost,
    evaluation: pick(outcome.evaluation),
    vcf,
    images,
    startup: { image: infra.image, containerStartSeconds: infra.startSeconds, readySeconds },
    metrics: metricsSummary,
    reportDir: options.outDir ?? resolve(course.dir, course.stateDir, 'pipeline', plan.run),
    scheduler: outcome.scheduler,
  };
  await writeReport(result, infra.swift);
  return result;
}

function runLine(plan: RunPlan): string {
  return `run ${plan.run}: ${plan.reads} read pairs, ${plan.shards} shards, ${plan.workers} worker${plan.workers === 1 ? '' : 's'}, storage ${plan.storage}, seed ${plan.seed}`;
}

async function onSlurm(docker: Docker, course: Course, plan: RunPlan, progress: Progress, options: PipelineOptions, metrics: RunMetrics) {
  const cluster = await ensureLocalCluster(docker, course, plan.workers, plan.storage, progress);
  const started = Date.now();
  progress.step(runLine(plan));
  const outcome = await runOnSlurm({ docker, cluster, plan, progress, emit: options.onProgress ?? (() => undefined), observer: metrics });
  return { ...outcome, infra: cluster, wallSeconds: (Date.now() - started) / 1000 };
}

function pick(e: Evaluation): Evaluation {
  return { truth: e.truth, called: e.called, truePositives: e.truePositives, falsePositives: e.falsePositives, falseNegatives: e.falseNegatives, precision: e.precision, recall: e.recall, f1: e.f1 };
}
