/**
 * Runs the stages of stages.ts on a run's workers: which worker runs what, workers lost on the
 * way (their work handed to the others), and each stage's timing, progress line and events. What
 * the measures become (metrics) is the observer's business; what the run makes of the outputs
 * (VCF, evaluation, report) is run.ts's.
 */
import type Docker from 'dockerode';
import type { Progress } from '../local/progress.js';
import { TargetError } from '../targets/driver.js';
import { execIn, stageOutput, WorkerLost } from './exec.js';
import type { PipelineInfra, Worker } from './infra.js';
import type { PipelineEvent, QueueStageName, RunPlan, Stage, StageTiming } from './model.js';
import { runQueue, type JobOutcome } from './queue.js';
import type { EveryWorkerStage, OneWorkerStage, QueueStage, StageSpec } from './stages.js';

export type StageOutput = Record<string, unknown>;

export interface WorkerMeasure {
  seconds: number;
  reads: number;
  bytes: number;
}

/** Told of each worker's part of a stage (metrics.ts pushes it). */
export interface StageObserver {
  /** A worker's measure of a stage; for a queue stage its running totals after each job. */
  measured(stage: Stage, worker: string, measure: WorkerMeasure): Promise<void>;
  /** A one-worker stage failed on a live worker (the run stops). */
  failed(stage: Stage, worker: string, seconds: number): Promise<void>;
}

export interface JobResult {
  output: StageOutput;
  seconds: number;
  /** When the job finished (ISO). */
  finished: string;
}

export interface StagesOutcome {
  timings: StageTiming[];
  /** Workers lost during the run, in the order they were lost. */
  lost: string[];
  /** What each one-worker stage printed. */
  outputs: Map<Stage, StageOutput>;
  /** Each queue stage's jobs, in job order. */
  jobs: Map<QueueStageName, Array<JobOutcome<JobResult, Worker>>>;
}

export interface StageRunnerContext {
  docker: Docker;
  infra: PipelineInfra;
  plan: RunPlan;
  progress: Progress;
  emit: (event: PipelineEvent) => void;
  observer: StageObserver;
}

/** A count a stage printed (`reads`, `bytes`); 0 when it printed none. */
export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

const measureOf = (seconds: number, output: StageOutput): WorkerMeasure => ({ seconds, reads: num(output.reads), bytes: num(output.bytes) });
const secondsSince = (t0: number) => (Date.now() - t0) / 1000;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export class StageRunner {
  private readonly alive: Set<string>;
  private readonly outcome: StagesOutcome = { timings: [], lost: [], outputs: new Map(), jobs: new Map() };
  /** Every stage's environment: the storage settings and the run. */
  private readonly env: Record<string, string>;

  constructor(private readonly context: StageRunnerContext) {
    this.alive = new Set(context.infra.workers.map((w) => w.id));
    this.env = { ...context.infra.env, RESOPS_RUN: context.plan.run };
  }

  async runAll(stages: readonly StageSpec[]): Promise<StagesOutcome> {
    for (const stage of stages) {
      if (stage.spread === 'every-worker') await this.onEveryWorker(stage);
      else if (stage.spread === 'one-worker') this.outcome.outputs.set(stage.name, await this.onOneWorker(stage));
      else this.outcome.jobs.set(stage.name, await this.onQueue(stage));
    }
    return this.outcome;
  }

  /** A file of the run's data (`calls.vcf`), read by a live worker. */
  async read(name: string): Promise<string> {
    const worker = this.firstAlive();
    if (!worker) throw new TargetError(`reading ${name}: every worker was lost`, 'see `docker ps -a` for the workers\' state');
    return (await this.exec(worker, 'cat', [`name=${name}`])).stdout;
  }

  private exec(worker: Worker, command: string, args: string[]) {
    return execIn(this.context.docker, worker.container, worker.id, command, ['resops-pipeline', command, ...args], this.env);
  }

  private firstAlive(): Worker | undefined {
    return this.context.infra.workers.find((w) => this.alive.has(w.id));
  }

  private markLost(worker: Worker, why: string): void {
    if (!this.alive.delete(worker.id)) return;
    this.outcome.lost.push(worker.id);
    this.context.progress.step(`${worker.id}: lost (${why}); its work goes to the others`);
  }

  /** Worker 'all': the stage's wall time over every worker; each pushed its own part already. */
  private async record(stage: Stage, worker: string, measure: WorkerMeasure): Promise<void> {
    const timing: StageTiming = { stage, seconds: measure.seconds, worker, reads: measure.reads, bytes: measure.bytes };
    this.outcome.timings.push(timing);
    this.context.emit({ type: 'stage', stage, state: 'done', seconds: measure.seconds, worker });
    this.context.progress.step(
      `${stage.padEnd(8)} ${measure.seconds.toFixed(1).padStart(6)}s on ${worker}${timing.reads ? `, ${timing.reads} reads` : ''}${timing.bytes ? `, ${(timing.bytes / 1e6).toFixed(2)} MB` : ''}`,
    );
    if (worker !== 'all') await this.context.observer.measured(stage, worker, measure);
  }

  private async onEveryWorker(stage: EveryWorkerStage): Promise<void> {
    const stageStart = Date.now();
    this.context.emit({ type: 'stage', stage: stage.name, state: 'start' });
    await Promise.all(
      this.context.infra.workers.map(async (w) => {
        const t0 = Date.now();
        try {
          const output = stageOutput(stage.command, (await this.exec(w, stage.command, [])).stdout);
          await this.context.observer.measured(stage.name, w.id, measureOf(secondsSince(t0), output));
        } catch (error) {
          if (error instanceof WorkerLost) this.markLost(w, error.message);
          else throw error;
        }
      }),
    );
    await this.record(stage.name, 'all', { seconds: secondsSince(stageStart), reads: 0, bytes: 0 });
  }

  /** On the first live worker; a worker dying under it hands it to the next. */
  private async onOneWorker(stage: OneWorkerStage): Promise<StageOutput> {
    const args = stage.args(this.context.plan);
    for (;;) {
      const worker = this.firstAlive();
      if (!worker) throw new TargetError(`stage ${stage.name}: every worker was lost`, 'see `docker ps -a` for the workers\' state');
      this.context.emit({ type: 'stage', stage: stage.name, state: 'start', worker: worker.id });
      const t0 = Date.now();
      try {
        const output = stageOutput(stage.command, (await this.exec(worker, stage.command, args)).stdout);
        await this.record(stage.name, worker.id, measureOf(secondsSince(t0), output));
        return output;
      } catch (error) {
        if (error instanceof WorkerLost) {
          this.markLost(worker, error.message);
          continue;
        }
        await this.context.observer.failed(stage.name, worker.id, secondsSince(t0));
        throw error;
      }
    }
  }

  /** The stage's jobs on the queue over the live workers; the stage's wall time is recorded for `all`. */
  private async onQueue(stage: QueueStage): Promise<Array<JobOutcome<JobResult, Worker>>> {
    const { plan, progress, emit, observer } = this.context;
    const jobs = stage.jobs(plan);
    const stageStart = Date.now();
    emit({ type: 'stage', stage: stage.name, state: 'start' });
    const perWorker = new Map<string, WorkerMeasure>();
    const pool = this.context.infra.workers.filter((w) => this.alive.has(w.id));
    const outcomes = await runQueue(
      jobs,
      pool,
      async (job, worker): Promise<JobResult> => {
        const t0 = Date.now();
        const output = stageOutput(stage.command, (await this.exec(worker, stage.command, stage.args(plan, job))).stdout);
        const seconds = secondsSince(t0);
        const sum = perWorker.get(worker.id) ?? { seconds: 0, reads: 0, bytes: 0 };
        sum.seconds += seconds;
        sum.reads += num(output.reads);
        sum.bytes += num(output.bytes);
        perWorker.set(worker.id, sum);
        await observer.measured(stage.name, worker.id, sum);
        return { output, seconds, finished: new Date().toISOString() };
      },
      (event) => {
        if (event.type === 'lost') this.markLost(event.worker, event.error ?? 'lost');
        if (event.type === 'done') progress.detail(`${stage.name} ${event.job + 1}/${jobs} done on ${event.worker.id}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
        emit({ type: 'shard', stage: stage.name, event: event.type, shards: jobs, job: event.job, worker: event.worker.id, attempt: event.attempt, ...(event.error ? { error: event.error } : {}) });
      },
    );
    await this.cleanPartials();
    const seconds = secondsSince(stageStart);
    const timing: StageTiming = {
      stage: stage.name,
      seconds,
      worker: 'all',
      reads: outcomes.reduce((sum, o) => sum + num(o.result.output.reads), 0),
      bytes: outcomes.reduce((sum, o) => sum + num(o.result.output.bytes), 0),
    };
    this.outcome.timings.push(timing);
    emit({ type: 'stage', stage: stage.name, state: 'done', seconds });
    const lost = this.outcome.lost;
    progress.step(
      `${stage.name.padEnd(8)} ${seconds.toFixed(1).padStart(6)}s, ${jobs} jobs on ${plural(pool.length, 'worker')}${timing.reads ? `, ${timing.reads} reads` : ''}${lost.length ? ` (lost: ${lost.join(', ')})` : ''}`,
    );
    return outcomes;
  }

  /** A worker killed mid-job leaves `*.tmp-*` in the shared volume: never merged, removed here. */
  private async cleanPartials(): Promise<void> {
    if (this.context.infra.storage !== 'volume') return; // a killed Swift PUT leaves no object
    const worker = this.firstAlive();
    if (!worker) return;
    await execIn(this.context.docker, worker.container, worker.id, 'clean', ['sh', '-c', 'rm -f "$RESOPS_DATA/$RESOPS_RUN"/*.tmp-*'], this.env).catch(() => undefined);
  }
}
