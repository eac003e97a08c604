/**
 * What one run pushes and when (the wire formats and the sending are metrics.ts's): each worker's
 * measure of each stage and its last progress, a stage that failed, and at the end the finished
 * marks and the shards' measures in one Gnocchi batch.
 */
import { randomUUID } from 'node:crypto';
import { gnocchiAdmin } from '../access/gnocchi-users.js';
import type { Course } from '../course/model.js';
import { metricsSink, type MetricsEndpoints, type MetricsSink, type ShardMeasure, type StageObserver, type WorkerMeasure } from './metrics.js';
import type { MetricsEndpointsOption, RunMetricsSummary, Stage } from './model.js';

export function defaultEndpoints(course: Course): MetricsEndpoints {
  if (!course.monitoring.enabled) return {};
  return { pushgateway: `http://127.0.0.1:${course.local.ports.pushgateway}`, gnocchi: `http://127.0.0.1:${course.local.ports.gnocchi}` };
}

export class RunMetrics implements StageObserver {
  private readonly sink: MetricsSink;

  /** `option` undefined: the course's Pushgateway and Gnocchi when its monitoring is enabled. */
  constructor(
    course: Course,
    option: MetricsEndpointsOption | undefined,
    private readonly run: string,
  ) {
    const endpoints = option === false ? {} : (option ?? defaultEndpoints(course));
    const disabled = course.monitoring.enabled || option ? undefined : 'monitoring is not enabled in the course';
    this.sink = metricsSink(endpoints, disabled, endpoints.gnocchi ? gnocchiAdmin(course) : undefined);
  }

  async measured(stage: Stage, worker: string, measure: WorkerMeasure): Promise<void> {
    await this.sink.stage(this.run, { stage, worker, seconds: measure.seconds, reads: measure.reads, bytes: measure.bytes, exitStatus: 0 });
    await this.sink.progress(this.run, worker);
  }

  async failed(stage: Stage, worker: string, seconds: number): Promise<void> {
    await this.sink.stage(this.run, { stage, worker, seconds, reads: 0, bytes: 0, exitStatus: 1 });
  }

  /** Every worker of the run (lost ones too) marked finished, then the shards' measures to Gnocchi. */
  async finish(workers: string[], shards: ShardMeasure[]): Promise<RunMetricsSummary> {
    await this.sink.finished(this.run, workers);
    const gnocchiResource = randomUUID();
    await this.sink.shards(this.run, gnocchiResource, shards);
    const problem = this.sink.problem();
    return { pushgateway: this.sink.pushgatewayOk(), gnocchi: this.sink.gnocchiOk(), gnocchiResource, ...(problem ? { problem } : {}) };
  }
}
