/**
 * The scaling experiment: the same run (same reads, seed, shards) with each worker count, repeated;
 * median wall time, speedup, efficiency and cost per run, an Amdahl fit and a plot. Repeats are
 * interleaved (1,2,4,8, 1,2,4,8, …) so that a slow spell on the machine hits every count alike.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { defaultRunStorage, type Course, type PipelineStorage } from '../course/model.js';
import { connectDocker } from '../local/docker.js';
import { stderrProgress, type Progress, collectingProgress } from '../local/progress.js';
import { fitAmdahlIfAny, scaleTable, speedupSamples, type AmdahlFit, type ScalePoint, type ScaleRow } from './amdahl.js';
import { scalingSvg, svgToPng } from './plot.js';
import { runPipeline, type MetricsEndpointsOption, type PipelineOptions } from './run.js';
import { queueReport } from '../dashboard/reporter.js';
import { scaleDigest } from '../dashboard/pipeline-view.js';
import { exercisesStateDir } from '../exercises/progress.js';

export interface ScaleOptions {
  workers: number[];
  repeat: number;
  reads: number;
  storage?: PipelineStorage;
  seed?: number;
  shards?: number;
  outDir?: string;
  docker?: Docker;
  /** The openstack target: how the course's VMs are reached (as for `pipeline run`). */
  openstack?: PipelineOptions['openstack'];
  progress?: Progress;
  metrics?: MetricsEndpointsOption;
  /** The learner who runs it: every run and the experiment are theirs (see PipelineOptions.learner). */
  learner?: string;
}

export interface ScaleResult {
  course: string;
  learner?: string;
  storage: PipelineStorage;
  reads: number;
  repeat: number;
  rows: ScaleRow[];
  points: ScalePoint[];
  fit?: AmdahlFit;
  currency?: string;
  workerHourPrice?: number;
  svg: string;
  png?: string;
  pngProblem?: string;
  /** true when every run's VCF was byte-identical. */
  identicalVcfs: boolean;
}

/** Hourly price of one worker from the course's unit prices and worker flavor; undefined without prices. */
export function workerHourPrice(course: Pick<Course, 'cloud'>): number | undefined {
  const prices = course.cloud.prices;
  if (!prices) return undefined;
  const flavor = course.cloud.flavors.worker;
  return flavor.vcpus * prices.vcpuHour + (flavor.ramMb / 1024) * prices.ramGbHour;
}

export async function runScale(course: Course, options: ScaleOptions): Promise<ScaleResult> {
  const progress = options.progress ?? stderrProgress();
  // The openstack target's runs need no Docker on this machine: a learner's laptop may have none.
  const docker = course.target === 'local' ? (options.docker ?? (await connectDocker()).docker) : undefined;
  const storage = options.storage ?? defaultRunStorage(course.pipeline);
  const counts = [...new Set(options.workers)].sort((a, b) => a - b);
  // Each count gets its own cluster (the partition is exactly the run's workers): recreating
  // the containers between runs is not in any run's wall time, which starts once Slurm is up.
  const seconds = new Map<number, number[]>(counts.map((n) => [n, []]));
  const vcfs = new Set<string>();
  const total = counts.length * options.repeat;
  let done = 0;
  for (let r = 0; r < options.repeat; r++) {
    for (const n of counts) {
      const quiet = collectingProgress();
      const result = await runPipeline(course, {
        workers: n,
        reads: options.reads,
        storage,
        ...(docker ? { docker } : {}),
        ...(options.openstack ? { openstack: options.openstack } : {}),
        progress: quiet,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.shards !== undefined ? { shards: options.shards } : {}),
        ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
        ...(options.learner !== undefined ? { learner: options.learner } : {}),
      });
      seconds.get(n)!.push(result.wallSeconds);
      vcfs.add(result.vcf);
      done++;
      progress.step(`run ${done}/${total}: ${n} worker${n === 1 ? '' : 's'}, ${result.wallSeconds.toFixed(1)}s (recall ${result.evaluation.recall.toFixed(3)})`);
    }
  }
  const points: ScalePoint[] = counts.map((n) => ({ workers: n, seconds: seconds.get(n)! }));
  const price = workerHourPrice(course);
  const rows = scaleTable(points, price);
  const samples = speedupSamples(points);
  const fit = fitAmdahlIfAny(samples);
  const outDir = options.outDir ?? resolve(course.dir, course.stateDir, 'pipeline', 'scale');
  mkdirSync(outDir, { recursive: true });
  const svg = join(outDir, 'scaling.svg');
  writeFileSync(svg, await scalingSvg(rows, samples, fit, { title: `${course.id}: ${options.reads} read pairs, storage ${storage}, ${options.repeat}× each` }));
  const png = join(outDir, 'scaling.png');
  const converted = await svgToPng(svg, png);
  const result: ScaleResult = {
    course: course.id,
    ...(options.learner !== undefined ? { learner: options.learner } : {}),
    storage,
    reads: options.reads,
    repeat: options.repeat,
    rows,
    points,
    ...(fit ? { fit } : {}),
    ...(course.cloud.prices ? { currency: course.cloud.prices.currency } : {}),
    ...(price !== undefined ? { workerHourPrice: price } : {}),
    svg,
    ...(converted === true ? { png } : { pngProblem: converted }),
    identicalVcfs: vcfs.size === 1,
  };
  writeFileSync(join(outDir, 'scaling.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (options.learner !== undefined) queueReport(exercisesStateDir(course), { learner: options.learner, at: new Date().toISOString(), kind: 'scale', scale: scaleDigest(result) });
  return result;
}
