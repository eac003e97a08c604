/**
 * `runPipeline`: one run of the variant-calling pipeline on N worker containers. The stages are
 * data (stages.ts), run by the orchestrator (orchestrator.ts) on the workers infra.ts provides;
 * metrics go out through run-metrics.ts and the report is written by report.ts. This file puts
 * them together and assembles the result.
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
import { ensureInfra, type PipelineInfra } from './infra.js';
import type { ShardMeasure } from './metrics.js';
import type { Evaluation, PipelineOptions, PipelineResult, RunPlan, SchedulerOverhead, StageTiming } from './model.js';
import { planRun } from './options.js';
import { num, StageRunner, type StagesOutcome } from './orchestrator.js';
import { writeReport } from './report.js';
import { RunMetrics } from './run-metrics.js';
import { PIPELINE_STAGES } from './stages.js';
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

  const outcome = plan.engine === 'slurm' ? await onSlurm(docker, course, plan, progress, options, metrics) : await onBuiltin(docker, course, plan, progress, options, metrics);
  const { infra, shardJobs, wallSeconds, readySeconds, vcf } = outcome;
  const metricsSummary = await metrics.finish([...new Set([...infra.workers.map((w) => w.id), ...(outcome.reporters ?? [])])], shardJobs);
  if (metricsSummary.problem) progress.step(`metrics not pushed: ${metricsSummary.problem}`);

  const startups = recordStartup(resolve(course.dir, course.stateDir, 'pipeline', 'startup.json'), infra.image, { containerStartSeconds: infra.startSeconds, readySeconds, run: plan.run });
  const images = (await imageSizes(docker, plan.storage)).map((i) => (startups[i.image] ? { ...i, startup: startups[i.image] } : i));
  const result: PipelineResult = {
    course: course.id,
    run: plan.run,
    engine: plan.engine,
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
    ...(outcome.scheduler ? { scheduler: outcome.scheduler } : {}),
  };
  await writeReport(result, infra.swift);
  return result;
}

/** What either engine gives back to be assembled into the result. */
interface EngineOutcome {
  infra: { workers: Array<{ id: string }>; image: string; startSeconds: number[]; swift?: PipelineInfra['swift'] };
  timings: StageTiming[];
  shardJobs: ShardMeasure[];
  lost: string[];
  evaluation: Evaluation;
  vcf: string;
  wallSeconds: number;
  readySeconds: number;
  scheduler?: SchedulerOverhead;
  /** Names that pushed progress besides the workers (the Slurm head), to be marked finished too. */
  reporters?: string[];
}

function runLine(plan: RunPlan): string {
  return `run ${plan.run}: ${plan.reads} read pairs, ${plan.shards} shards, ${plan.workers} worker${plan.workers === 1 ? '' : 's'}, storage ${plan.storage}, seed ${plan.seed}, engine ${plan.engine}`;
}

async function onBuiltin(docker: Docker, course: Course, plan: RunPlan, progress: Progress, options: PipelineOptions, metrics: RunMetrics): Promise<EngineOutcome> {
  const infra = await ensureInfra(docker, course, plan.workers, plan.storage, progress);
  const started = Date.now();
  progress.step(runLine(plan));
  const runner = new StageRunner({ docker, infra, plan, progress, emit: options.onProgress ?? (() => undefined), observer: metrics });
  const outcome = await runner.runAll(PIPELINE_STAGES);
  const wallSeconds = (Date.now() - started) / 1000;
  const vcf = await runner.read('calls.vcf');
  return {
    infra,
    timings: outcome.timings,
    shardJobs: shardMeasures(outcome),
    lost: outcome.lost,
    evaluation: outcome.outputs.get('evaluate') as unknown as Evaluation,
    vcf,
    wallSeconds,
    readySeconds: outcome.timings.find((t) => t.stage === 'ready')?.seconds ?? 0,
  };
}

async function onSlurm(docker: Docker, course: Course, plan: RunPlan, progress: Progress, options: PipelineOptions, metrics: RunMetrics): Promise<EngineOutcome> {
  const cluster = await ensureLocalCluster(docker, course, plan.workers, plan.storage, progress);
  const started = Date.now();
  progress.step(runLine(plan));
  const outcome = await runOnSlurm({ docker, cluster, plan, progress, emit: options.onProgress ?? (() => undefined), observer: metrics });
  return { ...outcome, infra: cluster, wallSeconds: (Date.now() - started) / 1000 };
}

/** The align stage's jobs, one per shard: what Gnocchi gets and the report lists. */
function shardMeasures(outcome: StagesOutcome): ShardMeasure[] {
  return (outcome.jobs.get('align') ?? []).map((o, shard) => ({
    shard,
    worker: o.worker.id,
    seconds: o.result.seconds,
    reads: num(o.result.output.reads),
    bytes: num(o.result.output.bytes),
    attempts: o.attempts,
    timestamp: o.result.finished,
  }));
}

function pick(e: Evaluation): Evaluation {
  return { truth: e.truth, called: e.called, truePositives: e.truePositives, falsePositives: e.falsePositives, falseNegatives: e.falseNegatives, precision: e.precision, recall: e.recall, f1: e.f1 };
}
