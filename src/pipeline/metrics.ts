/**
 * Where a run's measures go. Each stage pushes to the Pushgateway (Prometheus scrapes it with
 * honor_labels, so `run`, `worker` and `stage` survive). The per-shard measures go to Gnocchi in
 * ONE batch request per run (`/v1/batch/resources/metrics/measures?create_metrics=true`): one
 * request per measure would be hundreds of times slower (docs/pipeline.md).
 *
 * Monitoring is optional: the first failure turns pushing off for the rest of the run and the
 * reason is reported as "metrics not pushed: …"; the pipeline itself carries on.
 */
import { basicAuthorization, type Credential } from '../access/gnocchi-users.js';
import { fetchWithin } from '../net/deadline.js';
import type { Stage } from './model.js';

/** One worker's part of a stage: its seconds and what it moved. */
export interface WorkerMeasure {
  seconds: number;
  reads: number;
  bytes: number;
}

/** Told of each worker's part of a stage (run-metrics.ts pushes it). */
export interface StageObserver {
  /** A worker's measure of a stage; for a per-shard stage its running totals after each job. */
  measured(stage: Stage, worker: string, measure: WorkerMeasure): Promise<void>;
  /** A stage failed (the run stops). */
  failed(stage: Stage, worker: string, seconds: number): Promise<void>;
}

export const METRIC = {
  duration: 'resops_pipeline_stage_duration_seconds',
  reads: 'resops_pipeline_stage_reads_processed',
  bytes: 'resops_pipeline_stage_bytes',
  exitStatus: 'resops_pipeline_stage_exit_status',
  lastProgress: 'resops_pipeline_last_progress_timestamp_seconds',
  finished: 'resops_pipeline_run_finished_timestamp_seconds',
} as const;

export const PUSH_JOB = 'resops_pipeline';
const TIMEOUT_MS = 3000;

export interface StageMeasure {
  stage: string;
  worker: string;
  seconds: number;
  reads: number;
  bytes: number;
  exitStatus: number;
}

/** Prometheus text exposition of one stage's measures (labels come from the grouping key). */
export function stageExposition(measure: StageMeasure): string {
  const lines = [
    `# TYPE ${METRIC.duration} gauge`,
    `${METRIC.duration} ${measure.seconds}`,
    `# TYPE ${METRIC.reads} gauge`,
    `${METRIC.reads} ${measure.reads}`,
    `# TYPE ${METRIC.bytes} gauge`,
    `${METRIC.bytes} ${measure.bytes}`,
    `# TYPE ${METRIC.exitStatus} gauge`,
    `${METRIC.exitStatus} ${measure.exitStatus}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `/metrics/job/resops_pipeline/run/R/worker/W[/stage/S]`: each label a path segment. */
export function groupPath(labels: Record<string, string>): string {
  return `/metrics/job/${PUSH_JOB}${Object.entries(labels)
    .map(([k, v]) => `/${k}/${encodeURIComponent(v)}`)
    .join('')}`;
}

export interface ShardMeasure {
  shard: number;
  worker: string;
  seconds: number;
  reads: number;
  bytes: number;
  attempts: number;
  /** When the shard finished (ISO). */
  timestamp: string;
}

/** The body of the one batch request: resource → metric → measures. */
export function gnocchiBatch(resourceId: string, shards: ShardMeasure[]): Record<string, Record<string, { archive_policy_name: string; measures: Array<{ timestamp: string; value: number }> }>> {
  const metrics: Record<string, { archive_policy_name: string; measures: Array<{ timestamp: string; value: number }> }> = {};
  for (const s of shards) {
    const name = `shard${String(s.shard).padStart(3, '0')}`;
    for (const [what, value] of [['duration_seconds', s.seconds], ['reads', s.reads], ['bytes', s.bytes], ['attempts', s.attempts]] as const) {
      metrics[`${name}.${what}`] = { archive_policy_name: GNOCCHI_POLICY, measures: [{ timestamp: s.timestamp, value }] };
    }
  }
  return { [resourceId]: metrics };
}

/** Archive policy of the pipeline's metrics: 1-second points kept a day (a run is minutes long). */
export const GNOCCHI_POLICY = 'resops-pipeline';

export interface MetricsSink {
  stage(run: string, measure: StageMeasure): Promise<void>;
  progress(run: string, worker: string): Promise<void>;
  finished(run: string, workers: string[]): Promise<void>;
  shards(run: string, resourceId: string, shards: ShardMeasure[]): Promise<void>;
  /** Why metrics were not (all) pushed; undefined when everything went through. */
  problem(): string | undefined;
  pushgatewayOk(): boolean;
  gnocchiOk(): boolean;
  /** Requests sent to Gnocchi (the batch write is one). */
  gnocchiRequests: number;
}

export interface MetricsEndpoints {
  pushgateway?: string;
  gnocchi?: string;
}

/** One request to Gnocchi as `credential` (its API checks the password; src/access/gnocchi-users.ts). */
export async function gnocchiRequest(base: string, credential: Credential, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<Response> {
  return fetchWithin(timeoutMs, `${base}${path}`, {
    method,
    headers: { Authorization: basicAuthorization(credential), 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/**
 * `disabled`: why nothing is pushed at all (reported once instead of per service). `gnocchi`: the
 * identity the shards' measures are written as (the course's admin: it owns the run resources).
 */
export function metricsSink(endpoints: MetricsEndpoints, disabled?: string, gnocchi?: Credential): MetricsSink {
  let pushProblem: string | undefined = disabled ?? (endpoints.pushgateway ? undefined : 'no Pushgateway given');
  let gnocchiProblem: string | undefined = disabled ? undefined : !endpoints.gnocchi ? 'no Gnocchi given' : !gnocchi ? 'no Gnocchi credential given' : undefined;
  const skipGnocchi = disabled !== undefined;
  const push = async (labels: Record<string, string>, text: string) => {
    if (pushProblem) return;
    try {
      // POST: replaces only the metrics named in the body, so progress and finished coexist.
      const response = await fetchWithin(TIMEOUT_MS, `${endpoints.pushgateway}${groupPath(labels)}`, { method: 'POST', body: text });
      if (!response.ok) pushProblem = `Pushgateway ${endpoints.pushgateway}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`;
    } catch (error) {
      pushProblem = `Pushgateway ${endpoints.pushgateway}: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  const now = () => Date.now() / 1000;
  const sink: MetricsSink = {
    gnocchiRequests: 0,
    stage: (run, m) => push({ run, worker: m.worker, stage: m.stage }, stageExposition(m)),
    progress: (run, worker) => push({ run, worker }, `# TYPE ${METRIC.lastProgress} gauge\n${METRIC.lastProgress} ${now()}\n`),
    finished: async (run, workers) => {
      for (const worker of workers) await push({ run, worker }, `# TYPE ${METRIC.finished} gauge\n${METRIC.finished} ${now()}\n`);
    },
    shards: async (run, resourceId, shards) => {
      if (gnocchiProblem || skipGnocchi) return;
      const base = endpoints.gnocchi!;
      const as = gnocchi!;
      try {
        // Setup (idempotent, not measures): the archive policy and the run's resource.
        const policy = await gnocchiRequest(base, as, 'POST', '/v1/archive_policy', { name: GNOCCHI_POLICY, definition: [{ granularity: '1s', timespan: '1 day' }], aggregation_methods: ['mean', 'max', 'min', 'sum', 'count'] });
        if (!policy.ok && policy.status !== 409) throw new Error(`creating archive policy: HTTP ${policy.status} ${(await policy.text()).slice(0, 200)}`);
        const resource = await gnocchiRequest(base, as, 'POST', '/v1/resource/generic', { id: resourceId, user_id: 'resops', project_id: 'resops' });
        if (!resource.ok && resource.status !== 409) throw new Error(`creating resource for run ${run}: HTTP ${resource.status} ${(await resource.text()).slice(0, 200)}`);
        sink.gnocchiRequests++;
        const batch = await gnocchiRequest(base, as, 'POST', '/v1/batch/resources/metrics/measures?create_metrics=true', gnocchiBatch(resourceId, shards));
        if (!batch.ok) throw new Error(`batch write: HTTP ${batch.status} ${(await batch.text()).slice(0, 200)}`);
      } catch (error) {
        gnocchiProblem = `Gnocchi ${base}: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    problem: () => [pushProblem, gnocchiProblem].filter(Boolean).join('; ') || undefined,
    pushgatewayOk: () => !pushProblem,
    gnocchiOk: () => !gnocchiProblem && !skipGnocchi,
  };
  return sink;
}
