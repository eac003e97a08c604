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
import { RUN_TIMEOUT_MS, runOnSlurm, type SlurmOutcome } from './slurm-engine.js';
import { dockerNodeShell } from './node-shell.js';
import { connectDocker } from '../local/docker.js';
import { stderrProgress } from '../local/progress.js';
import { imageSizes } from './images.js';
import type { Evaluation, PipelineOptions, PipelineResult, RunPlan } from './model.js';
import { planRun } from './options.js';
import { writeReport } from './report.js';
import { RunMetrics } from './run-metrics.js';
import { recordStartup } from './startup-record.js';
import { queueReport } from '../dashboard/reporter.js';
import { runDigest } from '../dashboard/pipeline-view.js';
import { exercisesStateDir } from '../exercises/progress.js';

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
  if (course.target === 'openstack') return onOpenstack(course, plan, progress, options);
  const docker = options.docker ?? (await connectDocker()).docker;
  const metrics = new RunMetrics(course, options.metrics, plan.run);

  const outcome = await onSlurm(docker, course, plan, progress, options, metrics);
  const { infra } = outcome;
  const metricsSummary = await finishMetrics(metrics, outcome, progress);
  const startups = recordStartup(resolve(course.dir, course.stateDir, 'pipeline', 'startup.json'), infra.image, { containerStartSeconds: infra.startSeconds, readySeconds: outcome.readySeconds, run: plan.run });
  const images = (await imageSizes(docker, plan.storage)).map((i) => (startups[i.image] ? { ...i, startup: startups[i.image] } : i));
  const result = assemble(course, plan, options, outcome, metricsSummary, images, { image: infra.image, containerStartSeconds: infra.startSeconds, readySeconds: outcome.readySeconds });
  await writeReport(result, infra.swift);
  queueRun(course, result);
  return result;
}

/**
 * The openstack target: the Slurm cluster `configure` made on the VMs, reached over SSH; the
 * run's S3 credential and drained nodes are given back whatever happens. No images: the VMs'
 * tools and reference come from Ansible (roles slurm_node, pipeline_reference).
 */
async function onOpenstack(course: Course, plan: RunPlan, progress: Progress, options: PipelineOptions): Promise<PipelineResult> {
  const { ensureOpenstackCluster } = await import('./openstack-cluster.js');
  const access = options.openstack ?? { keys: {} };
  const { cluster, shell, release, metrics: forwardMetrics } = await ensureOpenstackCluster(course, plan.workers, plan.run, plan.storage, progress, access);
  let forwarded: Awaited<ReturnType<typeof forwardMetrics>>;
  try {
    if (options.metrics === undefined) {
      forwarded = await forwardMetrics(RUN_TIMEOUT_MS).catch((error: Error) => {
        progress.step(`metrics: ${error.message}; the run goes on without them`);
        return undefined;
      });
    }
    const metrics = new RunMetrics(course, options.metrics ?? forwarded?.endpoints ?? false, plan.run);
    const started = Date.now();
    progress.step(runLine(plan));
    const run = await runOnSlurm({ shell, cluster, plan, progress, emit: options.onProgress ?? (() => undefined), observer: metrics });
    const outcome = { ...run, infra: cluster, wallSeconds: (Date.now() - started) / 1000 };
    const metricsSummary = await finishMetrics(metrics, outcome, progress);
    const result = assemble(course, plan, options, outcome, metricsSummary, [], { image: 'cloud VMs (configured by Ansible)', containerStartSeconds: [], readySeconds: run.readySeconds });
    await writeReport(result, cluster.swift);
    queueRun(course, result);
    return result;
  } finally {
    await forwarded?.close();
    await release();
  }
}

/** The learner's dashboard gets the run when they have one; the CLI sends the queue after the command. */
function queueRun(course: Course, result: PipelineResult): void {
  if (result.learner === undefined) return;
  queueReport(exercisesStateDir(course), { learner: result.learner, at: new Date().toISOString(), kind: 'pipeline', run: runDigest(result) });
}

type Outcome = SlurmOutcome & { infra: { workers: Array<{ id: string }> }; wallSeconds: number };

async function finishMetrics(metrics: RunMetrics, outcome: Outcome, progress: Progress) {
  const summary = await metrics.finish([...new Set([...outcome.infra.workers.map((w) => w.id), ...outcome.reporters])], outcome.shardJobs);
  if (summary.problem) progress.step(`metrics not pushed: ${summary.problem}`);
  return summary;
}

function assemble(course: Course, plan: RunPlan, options: PipelineOptions, outcome: Outcome, metrics: PipelineResult['metrics'], images: PipelineResult['images'], startup: PipelineResult['startup']): PipelineResult {
  return {
    course: course.id,
    ...(options.learner !== undefined ? { learner: options.learner } : {}),
    run: plan.run,
    storage: plan.storage,
    workers: plan.workers,
    reads: plan.reads,
    seed: plan.seed,
    shards: plan.shards,
    regions: plan.regions,
    wallSeconds: outcome.wallSeconds,
    stages: outcome.timings,
    shardJobs: outcome.shardJobs,
    lostWorkers: outcome.lost,
    evaluation: pick(outcome.evaluation),
    vcf: outcome.vcf,
    images,
    startup,
    metrics,
    reportDir: options.outDir ?? resolve(course.dir, course.stateDir, 'pipeline', plan.run),
    scheduler: outcome.scheduler,
  };
}

function runLine(plan: RunPlan): string {
  return `run ${plan.run}: ${plan.reads} read pairs, ${plan.shards} shards, ${plan.workers} worker${plan.workers === 1 ? '' : 's'}, storage ${plan.storage}, seed ${plan.seed}`;
}

async function onSlurm(docker: Docker, course: Course, plan: RunPlan, progress: Progress, options: PipelineOptions, metrics: RunMetrics) {
  const cluster = await ensureLocalCluster(docker, course, plan.workers, plan.storage, progress);
  const started = Date.now();
  progress.step(runLine(plan));
  const outcome = await runOnSlurm({ shell: dockerNodeShell(docker), cluster, plan, progress, emit: options.onProgress ?? (() => undefined), observer: metrics });
  return { ...outcome, infra: cluster, wallSeconds: (Date.now() - started) / 1000 };
}

function pick(e: Evaluation): Evaluation {
  return { truth: e.truth, called: e.called, truePositives: e.truePositives, falsePositives: e.falsePositives, falseNegatives: e.falseNegatives, precision: e.precision, recall: e.recall, f1: e.f1 };
}
