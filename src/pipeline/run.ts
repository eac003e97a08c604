/**
 * `runPipeline`: one run of the variant-calling pipeline on N worker containers.
 *
 *   ready     every worker resolves its reference (baked in, or fetched and indexed: start-up)
 *   simulate  dwgsim -M: the known SNPs (truth VCF) every shard's reads carry   (one worker)
 *   align     per shard: its reads simulated (own seed) → fastp → bwa mem → sort (job queue)
 *   merge     samtools merge + index                                           (one worker)
 *   call      per region: bcftools mpileup -r | call -mv                       (job queue)
 *   gather    bcftools concat of the regions' VCFs                              (one worker)
 *   evaluate  precision / recall / F1 against the truth                         (one worker)
 *
 * The number of shards does not depend on the number of workers, so every worker count aligns
 * exactly the same reads into the same BAMs. Sites are called independently, so the gathered
 * regions equal one call over the whole genome whatever the cut: there is one region per worker,
 * and the VCF is byte-identical with 1 or N workers.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import type { Course, PipelineStorage } from '../course/model.js';
import { connectDocker } from '../local/docker.js';
import { stderrProgress, type Progress } from '../local/progress.js';
import { TargetError } from '../targets/driver.js';
import { execIn, stageOutput, WorkerLost } from './exec.js';
import { pipelineImageTag } from './images.js';
import { ensureInfra, type PipelineInfra, type Worker } from './infra.js';
import { metricsSink, type MetricsEndpoints, type ShardMeasure } from './metrics.js';
import { runQueue, type QueueEvent } from './queue.js';
import { renderMarkdown } from './report.js';
import { recordStartup, type ImageStartup } from './startup-record.js';

export const STAGES = ['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate'] as const;
export type Stage = (typeof STAGES)[number];

export interface PipelineOptions {
  workers: number;
  /** Read pairs to simulate. */
  reads: number;
  storage?: PipelineStorage;
  seed?: number;
  /** Shard jobs (default 8: enough to keep 8 workers busy, independent of the worker count). */
  shards?: number;
  /**
   * Regions the genome is cut into for calling (default: one per worker). Unlike shards this may
   * follow the worker count: sites are called independently, so any cut gives the same VCF, and
   * each region job pays a fixed start-up (≈0.3 s) that more regions than workers only repeat.
   */
  regions?: number;
  runId?: string;
  docker?: Docker;
  /** Where metrics go; default: the course's Pushgateway and Gnocchi when monitoring is enabled. false: none. */
  metrics?: MetricsEndpointsOption;
  /** Directory for report.json, report.md and calls.vcf (default `<state dir>/pipeline/<run>`). */
  outDir?: string;
  progress?: Progress;
  /** Every stage start/end and every shard job event (tests kill a worker from here). */
  onProgress?: (event: PipelineEvent) => void;
}

export type MetricsEndpointsOption = MetricsEndpoints | false;

export type PipelineEvent =
  | { type: 'stage'; stage: Stage; state: 'start' | 'done'; seconds?: number; worker?: string }
  | { type: 'shard'; stage: 'align' | 'call'; event: QueueEvent<string>['type']; shards: number; job: number; worker: string; attempt: number; error?: string };

export interface StageTiming {
  stage: Stage;
  seconds: number;
  worker: string;
  reads: number;
  bytes: number;
}

export interface Evaluation {
  truth: number;
  called: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface PipelineResult {
  course: string;
  run: string;
  storage: PipelineStorage;
  workers: number;
  reads: number;
  seed: number;
  shards: number;
  regions: number;
  wallSeconds: number;
  stages: StageTiming[];
  shardJobs: ShardMeasure[];
  lostWorkers: string[];
  evaluation: Evaluation;
  vcf: string;
  /** Both worker images (and Swift's for object runs): size, and the latest start-up measured for the course. */
  images: RunImage[];
  /**
   * Start-up of this run's worker image: create-to-running of the workers created for this run
   * (none when they all existed) and the `ready` stage (reference resolved: instant when baked in,
   * fetch + index for the cloud-native image).
   */
  startup: { image: string; containerStartSeconds: number[]; readySeconds: number };
  metrics: { pushgateway: boolean; gnocchi: boolean; gnocchiResource: string; problem?: string };
  reportDir: string;
}

export interface RunImage {
  image: string;
  sizeMb: number;
  /** The storage whose workers run this image; absent for a storage service's image (Swift). */
  workersOf?: PipelineStorage;
  startup?: ImageStartup;
}

export const DEFAULTS = { reads: 200_000, seed: 42, shards: 8 } as const;

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function defaultEndpoints(course: Course): MetricsEndpoints {
  if (!course.monitoring.enabled) return {};
  return { pushgateway: `http://127.0.0.1:${course.local.ports.pushgateway}`, gnocchi: `http://127.0.0.1:${course.local.ports.gnocchi}` };
}

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `run-${stamp}-${randomUUID().slice(0, 6)}`;
}

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
  if (course.target !== 'local') {
    throw new TargetError(`${course.file}: target is ${course.target}; \`pipeline run\` drives the local target's worker containers`, 'use --target local');
  }
  const storage = options.storage ?? course.pipeline.storage;
  const seed = options.seed ?? DEFAULTS.seed;
  const shards = options.shards ?? DEFAULTS.shards;
  if (!Number.isInteger(options.reads) || options.reads < 100) throw new TargetError(`--reads ${options.reads}: expected a whole number ≥ 100`);
  if (!Number.isInteger(shards) || shards < 1 || shards > 999) throw new TargetError(`--shards ${shards}: expected a whole number from 1 to 999`);
  const regions = options.regions ?? Math.min(options.workers, 999);
  if (!Number.isInteger(regions) || regions < 1 || regions > 999) throw new TargetError(`regions ${regions}: expected a whole number from 1 to 999`);
  const run = options.runId ?? newRunId();
  const progress = options.progress ?? stderrProgress();
  const emit = options.onProgress ?? (() => undefined);
  const docker = options.docker ?? (await connectDocker()).docker;
  const endpoints = options.metrics === false ? {} : (options.metrics ?? defaultEndpoints(course));
  const sink = metricsSink(endpoints, course.monitoring.enabled || options.metrics ? undefined : 'monitoring is not enabled in the course');

  const infra = await ensureInfra(docker, course, options.workers, storage, progress);
  const alive = new Set(infra.workers.map((w) => w.id));
  const lost: string[] = [];
  const env = { ...infra.env, RESOPS_RUN: run };
  const stages: StageTiming[] = [];
  const started = Date.now();
  progress.step(`run ${run}: ${options.reads} read pairs, ${shards} shards, ${options.workers} worker${options.workers === 1 ? '' : 's'}, storage ${storage}, seed ${seed}`);

  const exec = (worker: Worker, stage: string, args: string[]) => execIn(docker, worker.container, worker.id, stage, ['resops-pipeline', stage, ...args], env);
  const markLost = (worker: Worker, why: string) => {
    if (!alive.delete(worker.id)) return;
    lost.push(worker.id);
    progress.step(`${worker.id}: lost (${why}); its work goes to the others`);
  };

  /** A serial stage on the first live worker; a worker dying under it hands it to the next. */
  const serial = async (stage: Stage, args: string[]): Promise<Record<string, unknown>> => {
    for (;;) {
      const worker = infra.workers.find((w) => alive.has(w.id));
      if (!worker) throw new TargetError(`stage ${stage}: every worker was lost`, 'see `docker ps -a` for the workers\' state');
      emit({ type: 'stage', stage, state: 'start', worker: worker.id });
      const t0 = Date.now();
      try {
        const output = stageOutput(stage, (await exec(worker, stage, args)).stdout);
        await record(stage, worker.id, (Date.now() - t0) / 1000, output);
        return output;
      } catch (error) {
        if (error instanceof WorkerLost) {
          markLost(worker, error.message);
          continue;
        }
        await sink.stage(run, { stage, worker: worker.id, seconds: (Date.now() - t0) / 1000, reads: 0, bytes: 0, exitStatus: 1 });
        throw error;
      }
    }
  };
  /** `worker` 'all': a stage spread over every worker; each worker pushed its own part already. */
  const record = async (stage: Stage, worker: string, seconds: number, output: Record<string, unknown>) => {
    const timing = { stage, seconds, worker, reads: num(output.reads), bytes: num(output.bytes) };
    stages.push(timing);
    emit({ type: 'stage', stage, state: 'done', seconds, worker });
    progress.step(`${stage.padEnd(8)} ${seconds.toFixed(1).padStart(6)}s on ${worker}${timing.reads ? `, ${timing.reads} reads` : ''}${timing.bytes ? `, ${(timing.bytes / 1e6).toFixed(2)} MB` : ''}`);
    if (worker === 'all') return;
    await sink.stage(run, { stage, worker, seconds, reads: timing.reads, bytes: timing.bytes, exitStatus: 0 });
    await sink.progress(run, worker);
  };

  // ready: in parallel on every worker (a cloud-native worker fetches and indexes here).
  const readyStart = Date.now();
  emit({ type: 'stage', stage: 'ready', state: 'start' });
  await Promise.all(
    infra.workers.map(async (w) => {
      const t0 = Date.now();
      try {
        const output = stageOutput('ready', (await exec(w, 'ready', [])).stdout);
        await sink.stage(run, { stage: 'ready', worker: w.id, seconds: (Date.now() - t0) / 1000, reads: 0, bytes: num(output.bytes), exitStatus: 0 });
        await sink.progress(run, w.id);
      } catch (error) {
        if (error instanceof WorkerLost) markLost(w, error.message);
        else throw error;
      }
    }),
  );
  await record('ready', 'all', (Date.now() - readyStart) / 1000, {});

  await serial('simulate', [`seed=${seed}`]);

  /**
   * A parallel stage: `jobs` jobs on the job queue over the live workers. Each worker pushes its
   * running totals for the stage; the stage's wall time is recorded for `all`.
   */
  const parallel = async (stage: 'align' | 'call', command: string, jobs: number, args: (job: number) => string[]) => {
    const stageStart = Date.now();
    emit({ type: 'stage', stage, state: 'start' });
    const perWorker = new Map<string, { seconds: number; reads: number; bytes: number }>();
    const pool = infra.workers.filter((w) => alive.has(w.id));
    const outcomes = await runQueue(
      jobs,
      pool,
      async (job, worker) => {
        const t0 = Date.now();
        const output = stageOutput(command, (await exec(worker, command, args(job))).stdout);
        const seconds = (Date.now() - t0) / 1000;
        const sum = perWorker.get(worker.id) ?? { seconds: 0, reads: 0, bytes: 0 };
        sum.seconds += seconds;
        sum.reads += num(output.reads);
        sum.bytes += num(output.bytes);
        perWorker.set(worker.id, sum);
        await sink.stage(run, { stage, worker: worker.id, ...sum, exitStatus: 0 });
        await sink.progress(run, worker.id);
        return { output, seconds, finished: new Date().toISOString() };
      },
      (event) => {
        if (event.type === 'lost') markLost(event.worker, event.error ?? 'lost');
        if (event.type === 'done') progress.detail(`${stage} ${event.job + 1}/${jobs} done on ${event.worker.id}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
        emit({ type: 'shard', stage, event: event.type, shards: jobs, job: event.job, worker: event.worker.id, attempt: event.attempt, ...(event.error ? { error: event.error } : {}) });
      },
    );
    await cleanPartials(docker, infra, alive, env);
    const seconds = (Date.now() - stageStart) / 1000;
    const timing: StageTiming = {
      stage,
      seconds,
      worker: 'all',
      reads: outcomes.reduce((sum, o) => sum + num(o.result.output.reads), 0),
      bytes: outcomes.reduce((sum, o) => sum + num(o.result.output.bytes), 0),
    };
    stages.push(timing);
    emit({ type: 'stage', stage, state: 'done', seconds });
    progress.step(`${stage.padEnd(8)} ${seconds.toFixed(1).padStart(6)}s, ${jobs} jobs on ${pool.length} worker${pool.length === 1 ? '' : 's'}${timing.reads ? `, ${timing.reads} reads` : ''}${lost.length ? ` (lost: ${lost.join(', ')})` : ''}`);
    return outcomes;
  };

  const aligned = await parallel('align', 'shard', shards, (shard) => [`index=${shard}`, `shards=${shards}`, `reads=${options.reads}`, `seed=${seed}`]);
  const shardJobs: ShardMeasure[] = aligned.map((o, shard) => ({
    shard,
    worker: o.worker.id,
    seconds: o.result.seconds,
    reads: num(o.result.output.reads),
    bytes: num(o.result.output.bytes),
    attempts: o.attempts,
    timestamp: o.result.finished,
  }));
  await serial('merge', [`shards=${shards}`]);
  // Calling scattered by region over the same queue, then gathered.
  await parallel('call', 'call', regions, (region) => [`index=${region}`, `regions=${regions}`]);
  await serial('gather', [`regions=${regions}`]);
  const evaluation = (await serial('evaluate', [])) as unknown as Evaluation;
  const wallSeconds = (Date.now() - started) / 1000;

  const reader = infra.workers.find((w) => alive.has(w.id))!;
  const vcf = (await exec(reader, 'cat', ['name=calls.vcf'])).stdout;
  await sink.finished(run, infra.workers.map((w) => w.id));
  const gnocchiResource = randomUUID();
  await sink.shards(run, gnocchiResource, shardJobs);
  const problem = sink.problem();
  if (problem) progress.step(`metrics not pushed: ${problem}`);

  const readySeconds = stages.find((t) => t.stage === 'ready')?.seconds ?? 0;
  const startups = recordStartup(resolve(course.dir, course.stateDir, 'pipeline', 'startup.json'), infra.image, { containerStartSeconds: infra.startSeconds, readySeconds, run });
  const images = (await imageSizes(docker, storage)).map((i) => (startups[i.image] ? { ...i, startup: startups[i.image] } : i));
  const reportDir = options.outDir ?? resolve(course.dir, course.stateDir, 'pipeline', run);
  const result: PipelineResult = {
    course: course.id,
    run,
    storage,
    workers: options.workers,
    reads: options.reads,
    seed,
    shards,
    regions,
    wallSeconds,
    stages,
    shardJobs,
    lostWorkers: lost,
    evaluation: pick(evaluation),
    vcf,
    images,
    startup: { image: infra.image, containerStartSeconds: infra.startSeconds, readySeconds },
    metrics: { pushgateway: sink.pushgatewayOk(), gnocchi: sink.gnocchiOk(), gnocchiResource, ...(problem ? { problem } : {}) },
    reportDir,
  };
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(join(reportDir, 'calls.vcf'), vcf);
  const { vcf: _omitted, ...summary } = result;
  writeFileSync(join(reportDir, 'report.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(reportDir, 'report.md'), renderMarkdown(result));
  if (infra.swift) {
    await infra.swift.put(`${run}/report.json`, JSON.stringify(summary, null, 2));
    await infra.swift.put(`${run}/report.md`, renderMarkdown(result));
  }
  return result;
}

function pick(e: Evaluation): Evaluation {
  return { truth: e.truth, called: e.called, truePositives: e.truePositives, falsePositives: e.falsePositives, falseNegatives: e.falseNegatives, precision: e.precision, recall: e.recall, f1: e.f1 };
}

/** A worker killed mid-shard leaves `*.tmp-*` in the shared volume: never merged, removed here. */
async function cleanPartials(docker: Docker, infra: PipelineInfra, alive: Set<string>, env: Record<string, string>): Promise<void> {
  if (infra.storage !== 'volume') return; // a killed Swift PUT leaves no object
  const worker = infra.workers.find((w) => alive.has(w.id));
  if (!worker) return;
  await execIn(docker, worker.container, worker.id, 'clean', ['sh', '-c', 'rm -f "$RESOPS_DATA/$RESOPS_RUN"/*.tmp-*'], env).catch(() => undefined);
}

async function imageSizes(docker: Docker, storage: PipelineStorage): Promise<RunImage[]> {
  const images: Array<{ image: string; workersOf?: PipelineStorage }> = [
    { image: pipelineImageTag('pipeline'), workersOf: 'volume' },
    { image: pipelineImageTag('pipeline-cloud'), workersOf: 'object' },
    ...(storage === 'object' ? [{ image: pipelineImageTag('swift') }] : []),
  ];
  const sizes: RunImage[] = [];
  for (const entry of images) {
    const info = await docker.getImage(entry.image).inspect().catch(() => undefined);
    if (info) sizes.push({ ...entry, sizeMb: Math.round(info.Size / 1e5) / 10 });
  }
  return sizes;
}
