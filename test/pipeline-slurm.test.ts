/**
 * The pipeline on the engines bioinformaticians use, end to end on the real Docker daemon: the
 * Snakemake workflow (containers/pipeline/workflow) submitted to a real Slurm cluster (slurmctld
 * on a head container, slurmd on each worker, munge between them). A small run (3,000 read
 * pairs): the VCF is byte-identical for 1 and 2 workers and to the built-in engine's; a worker
 * killed mid-run is noticed by Slurm, its job requeued on the other, and the VCF stays the same;
 * the cluster is what the course says (one partition, its workers, their memory) and its munge
 * key is the course's secret (0600 on the host, 0400 for munge inside, in no label). The
 * cloud-native variant (nodes that share no disk; every file an object in the course's Swift,
 * through its S3 API) gives the same VCF and leaves only the results in the bucket.
 * Skipped when no Docker daemon answers, except in CI (CI=1), where that is a failure.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { downLocal } from '../src/local/down.js';
import { collectingProgress } from '../src/local/progress.js';
import { headName, mungeKey } from '../src/pipeline/cluster.js';
import { ensureSwift, workerName } from '../src/pipeline/infra.js';
import { runPipeline, type PipelineResult } from '../src/pipeline/run.js';
import { runInContainer } from '../src/process/run-in-container.js';
import { courseYaml } from './helpers/course-yaml.js';
import { pipelineImagesReady } from './helpers/pipeline-images.js';
import { suiteDocker, suiteId } from './helpers/docker-suite.js';

const { docker, dockerAvailable } = await suiteDocker('the Slurm pipeline tests');

const { id: ID, n } = suiteId('t-slurm');
const PORT_BASE = 41000 + (n % 200) * 100;
const READS = 3000;

let dir = '';
let course: Course;
const progress = collectingProgress();
const results: Record<string, PipelineResult> = {};

async function inContainer(name: string, cmd: string[]): Promise<string> {
  const result = await runInContainer(docker, docker.getContainer(name), name, cmd, { timeoutMs: 30_000, env: {} });
  return result.stdout;
}

describe.skipIf(!dockerAvailable)('pipeline on Snakemake + Slurm (Docker)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'resops-slurm-'));
    const file = join(dir, 'course.yaml');
    writeFileSync(
      file,
      `${courseYaml({ id: ID, target: 'local', learners: 1, monitoring: false, workers: 2, storage: 'volume', cidr: `10.${140 + (n % 50)}.0.0/16` })}` +
        `local:\n  ssh_port_base: ${PORT_BASE}\n  ports: { prometheus: ${PORT_BASE + 90}, pushgateway: ${PORT_BASE + 91}, alertmanager: ${PORT_BASE + 93}, gnocchi: ${PORT_BASE + 41}, swift: ${PORT_BASE + 80} }\n`,
    );
    course = loadCourse(file);
    await pipelineImagesReady(docker, progress);
  });

  afterAll(async () => {
    if (course) await downLocal(docker, course, collectingProgress());
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('1 and 2 Slurm workers give the VCF of the built-in engine, byte for byte, with every shard job on a node', async () => {
    results.builtin = await runPipeline(course, { workers: 2, reads: READS, docker, progress, metrics: false });
    results.one = await runPipeline(course, { workers: 1, reads: READS, docker, progress, metrics: false, engine: 'slurm' });
    results.two = await runPipeline(course, { workers: 2, reads: READS, docker, progress, metrics: false, engine: 'slurm' });
    expect(results.one.engine).toBe('slurm');
    expect(results.one.evaluation.truth).toBeGreaterThan(20);
    expect(results.one.evaluation.recall).toBeGreaterThanOrEqual(0.9);
    expect(results.one.evaluation).toEqual(results.builtin.evaluation);
    expect(results.one.vcf).toBe(results.builtin.vcf);
    expect(results.two.vcf).toBe(results.builtin.vcf);
    expect(results.two.stages.map((s) => s.stage)).toEqual(['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate']);
    expect(results.two.shardJobs.map((j) => j.shard)).toEqual([...Array(results.two.shards).keys()]);
    expect(new Set(results.two.shardJobs.map((j) => j.worker))).toEqual(new Set(['worker1', 'worker2']));
    expect(new Set(results.one.shardJobs.map((j) => j.worker))).toEqual(new Set(['worker1']));
    expect(results.two.shardJobs.reduce((sum, j) => sum + j.reads, 0)).toBe(READS * 2);
    expect(results.two.shardJobs.every((j) => j.seconds > 0 && j.bytes > 0 && j.attempts === 1)).toBe(true);
    // One Slurm job per shard (its three steps grouped), per region, and for simulate and merge;
    // gather and evaluate run on the head (localrules).
    expect(results.two.scheduler?.slurmJobs).toBe(1 + results.two.shards + 1 + results.two.regions);
    expect(results.two.stages.filter((s) => s.stage === 'gather' || s.stage === 'evaluate').map((s) => s.worker)).toEqual(['head', 'head']);
    const overhead = results.two.scheduler!;
    for (const part of [overhead.dispatchMedianSeconds, overhead.jobStartupMedianSeconds, overhead.noticedMedianSeconds]) expect(part).toBeGreaterThan(0);
    expect(overhead.overheadPerJobSeconds).toBeCloseTo(overhead.dispatchMedianSeconds + overhead.jobStartupMedianSeconds + overhead.noticedMedianSeconds, 2);
  }, 600_000);

  it('the cluster is the course: one partition of its workers with the worker flavor\'s memory, and the run\'s nodes only', async () => {
    const nodes = (await inContainer(headName(course), ['sinfo', '--noheader', '--Node', '--format=%N %P %c %m'])).trim().split('\n').sort();
    expect(nodes).toEqual([`worker1 main* 1 ${course.cloud.flavors.worker.ramMb}`, `worker2 main* 1 ${course.cloud.flavors.worker.ramMb}`]);
    // A job submitted by hand runs on a node, as a learner's sbatch would.
    const out = await inContainer(headName(course), ['srun', '--nodes=1', '--ntasks=1', 'hostname']);
    expect(out.trim()).toMatch(new RegExp(`^${workerName(course, 1)}|${workerName(course, 2)}$`));
  }, 120_000);

  it('the munge key is the course\'s secret: 0600 on the host, 0400 for munge inside, in no label or environment', async () => {
    const file = join(dir, course.stateDir, 'pipeline', 'munge.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = mungeKey(course);
    expect(key.length).toBe(1024);
    for (const name of [headName(course), workerName(course, 1)]) {
      expect((await inContainer(name, ['stat', '-c', '%U %a', '/etc/munge/munge.key'])).trim()).toBe('munge 400');
      expect(await inContainer(name, ['sha256sum', '/etc/munge/munge.key'])).toContain((await import('node:crypto')).createHash('sha256').update(key).digest('hex'));
      const info = await docker.getContainer(name).inspect();
      const visible = JSON.stringify({ labels: info.Config.Labels, env: info.Config.Env });
      expect(visible).not.toContain(key.toString('base64').slice(0, 24));
      expect(visible).not.toContain(key.toString('hex').slice(0, 24));
    }
  }, 60_000);

  it('cloud-native: workers that share no disk, only Swift through Snakemake\'s S3 remote files, give the same VCF', async () => {
    const result = await runPipeline(course, { workers: 2, reads: READS, docker, progress, metrics: false, engine: 'slurm', storage: 'object' });
    expect(result.storage).toBe('object');
    expect(result.vcf).toBe(results.builtin!.vcf);
    expect(result.evaluation).toEqual(results.builtin!.evaluation);
    expect(new Set(result.shardJobs.map((j) => j.worker))).toEqual(new Set(['worker1', 'worker2']));
    expect(result.shardJobs.reduce((sum, j) => sum + j.reads, 0)).toBe(READS * 2);
    expect(result.shardJobs.every((j) => j.bytes > 0 && j.seconds > 0)).toBe(true);
    const { swift, key } = await ensureSwift(docker, course, progress);
    for (const name of [headName(course), workerName(course, 1), workerName(course, 2)]) {
      const info = await docker.getContainer(name).inspect();
      // No disk in common: nothing mounted at /data, and the image without the reference.
      expect(info.Mounts.filter((m) => m.Destination === '/data')).toEqual([]);
      expect(info.Config.Image).toBe('resops/pipeline-cloud:latest');
      expect(JSON.stringify({ labels: info.Config.Labels, env: info.Config.Env })).not.toContain(key);
    }
    // The run's files are objects; the shards' reads (temp) are gone, their BAMs stay.
    const objects = await swift.store.objectSizes(swift.container, `${result.run}/`);
    expect(await swift.store.getObject(swift.container, `${result.run}/calls.vcf`)).toBe(result.vcf);
    const shards = [...objects.keys()].filter((name) => name.startsWith(`${result.run}/shards/`)).sort();
    expect(shards).toEqual(result.shardJobs.map((j) => `${result.run}/shards/${String(j.shard).padStart(3, '0')}.bam`));
    expect(result.shardJobs.map((j) => j.bytes)).toEqual(shards.map((name) => objects.get(name)));
  }, 600_000);

  it('a worker killed mid-run: Slurm requeues its job on the other node and the VCF is the same', async () => {
    let killed = false;
    const result = await runPipeline(course, {
      workers: 2,
      reads: READS,
      docker,
      progress,
      metrics: false,
      engine: 'slurm',
      onProgress: (event) => {
        if (event.type === 'shard' && event.stage === 'align' && event.event === 'start' && event.worker === 'worker2' && !killed) {
          killed = true;
          void docker.getContainer(workerName(course, 2)).kill();
        }
      },
    });
    expect(killed).toBe(true);
    expect(result.lostWorkers).toEqual(['worker2']);
    expect(result.vcf).toBe(results.builtin!.vcf);
    expect(result.shardJobs).toHaveLength(result.shards);
    expect(result.shardJobs.some((j) => j.attempts > 1)).toBe(true);
    expect(result.shardJobs.filter((j) => j.attempts > 1).every((j) => j.worker === 'worker1')).toBe(true);
    expect(result.shardJobs.reduce((sum, j) => sum + j.reads, 0)).toBe(READS * 2);
  }, 600_000);
});
