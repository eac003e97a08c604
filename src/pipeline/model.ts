/** What a pipeline run is asked for and what it gives back: options, progress events, the result. */
import type Docker from 'dockerode';
import type { PipelineStorage } from '../course/model.js';
import type { Progress } from '../local/progress.js';
import type { MetricsEndpoints, ShardMeasure } from './metrics.js';
import type { ImageStartup } from './startup-record.js';
import type { OpenstackAccess } from './openstack-cluster.js';

export const STAGES = ['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate'] as const;
export type Stage = (typeof STAGES)[number];
/** The stages whose jobs run once per shard or region (Snakemake's align and call rules). */
export type PartStage = Extract<Stage, 'align' | 'call'>;

export interface PipelineOptions {
  workers: number;
  /** Read pairs to simulate. */
  reads: number;
  storage?: PipelineStorage;
  seed?: number;
  /** Shard jobs (default 8: enough to keep 8 workers busy, independent of the worker count). */
  shards?: number;
  /**
   * Regions the genome is cut into for calling (default 2, whatever the worker count: a site's call
   * depends on where its region starts once the depth is high, so the cut must not change with
   * the workers; see DEFAULTS in options.ts).
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
  /** openstack: how the VMs are reached (as `configure` reaches them). */
  openstack?: OpenstackAccess;
  /** The learner who runs it: named in the report, and reported to their dashboard when they have one. */
  learner?: string;
}

export type MetricsEndpointsOption = MetricsEndpoints | false;

export type PipelineEvent =
  | { type: 'stage'; stage: Stage; state: 'start' | 'done'; seconds?: number; worker?: string }
  | { type: 'shard'; stage: PartStage; event: 'start' | 'done'; shards: number; job: number; worker: string; attempt: number };

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

/** A run's settings: its options with the defaults filled in (options.ts). */
export interface RunPlan {
  run: string;
  storage: PipelineStorage;
  workers: number;
  reads: number;
  seed: number;
  shards: number;
  regions: number;
}

/** What running each job through Slurm and Snakemake costs (slurm-engine.ts). */
export interface SchedulerOverhead {
  slurmJobs: number;
  /** Could start (submitted, node free) → started on its node; median. */
  dispatchMedianSeconds: number;
  /** Time on the node minus the rules' work (Snakemake starting inside the job); median. */
  jobStartupMedianSeconds: number;
  /** Ended → Snakemake on the head saw it (status polling); median. */
  noticedMedianSeconds: number;
  /** The three medians added: what each job costs beyond its work. */
  overheadPerJobSeconds: number;
}

export interface PipelineResult extends RunPlan {
  course: string;
  /** Who ran it (`--learner`); absent for the instructor's runs. */
  learner?: string;
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
  metrics: RunMetricsSummary;
  reportDir: string;
  scheduler: SchedulerOverhead;
}

export interface RunMetricsSummary {
  pushgateway: boolean;
  gnocchi: boolean;
  gnocchiResource: string;
  problem?: string;
}

export interface RunImage {
  image: string;
  sizeMb: number;
  /** The storage whose workers run this image; absent for a storage service's image (Swift). */
  workersOf?: PipelineStorage;
  startup?: ImageStartup;
}
