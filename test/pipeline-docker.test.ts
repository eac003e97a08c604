/**
 * The pipeline end to end on the real Docker daemon, with a small run (3,000 read pairs): 1 and 2
 * workers give byte-identical VCFs with recall ≥ 0.9; a worker killed mid-run loses and duplicates
 * nothing (same VCF); the object-storage variant (Swift, cloud-native image) gives the same VCF;
 * and a run's metrics, on either engine (the built-in queue, Snakemake on Slurm), reach Prometheus
 * (through the Pushgateway, every reporter marked finished) and Gnocchi. Monitoring is
 * started with the local driver's own functions (monitoring containers only, no learner VM).
 * Skipped when no Docker daemon answers, except in CI (CI=1), where that is a failure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { promQuery } from '../src/local/checks.js';
import { downLocal } from '../src/local/down.js';
import { ensureImages, type ImageName } from '../src/local/images.js';
import { collectingProgress } from '../src/local/progress.js';
import { applyPlan, listCourseObjects, planChanges, resolveLayout } from '../src/local/reconcile.js';
import { workerName } from '../src/pipeline/infra.js';
import { gnocchiRequest, METRIC } from '../src/pipeline/metrics.js';
import { runPipeline, type PipelineResult } from '../src/pipeline/run.js';
import { courseYaml } from './helpers/course-yaml.js';
import { pipelineImagesReady } from './helpers/pipeline-images.js';
import { suiteDocker, suiteId } from './helpers/docker-suite.js';

const { docker, dockerAvailable } = await suiteDocker('the pipeline tests');

const { id: ID, n } = suiteId('t-pipe');
// Ports and CIDR apart from the local-target test's ranges (20000–59999 step 100, 10.100–199).
const PORT_BASE = 40000 + (n % 200) * 100;
const PORTS = { prometheus: PORT_BASE + 90, pushgateway: PORT_BASE + 91, alertmanager: PORT_BASE + 93, gnocchi: PORT_BASE + 41, swift: PORT_BASE + 80 };
const READS = 3000;
const MONITORING_IMAGES: ImageName[] = ['postgres', 'gnocchi', 'prometheus', 'pushgateway', 'alertmanager'];

let dir = '';
let course: Course;
const progress = collectingProgress();
const results: Record<string, PipelineResult> = {};

async function monitoringUp(): Promise<void> {
  const images = await ensureImages(docker, progress, MONITORING_IMAGES);
  const existing = await listCourseObjects(docker, course.id);
  const full = await resolveLayout(docker, course, existing);
  const layout = { networks: full.networks.filter((net) => net.role === 'monitoring'), containers: full.containers.filter((c) => c.role === 'monitoring') };
  const plan = planChanges(course, layout, existing, new Map([...images.values()].map((i) => [i.name, i.id])));
  // Only part of the course's layout: the workers (not in it) are not stale.
  plan.staleContainers = [];
  plan.staleNetworks = [];
  await applyPlan(docker, course, plan, existing, progress);
}

/** Polls until `check` returns a value (bounded). */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000}s${last ? ` (${String(last)})` : ''}`);
}

const ok = async (url: string, auth?: string) => {
  const response = await fetch(url, { ...(auth ? { headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } } : {}), signal: AbortSignal.timeout(3000) });
  return response.ok ? true : undefined;
};

const body = (vcf: string) => vcf.split('\n').filter((line) => line && !line.startsWith('#'));

describe.skipIf(!dockerAvailable)('pipeline on Docker', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'resops-pipe-'));
    const file = join(dir, 'course.yaml');
    writeFileSync(
      file,
      `${courseYaml({ id: ID, target: 'local', learners: 1, monitoring: true, workers: 2, storage: 'volume', cidr: `10.${20 + (n % 60)}.0.0/16` })}` +
        `local:\n  ssh_port_base: ${PORT_BASE}\n  ports: { prometheus: ${PORTS.prometheus}, pushgateway: ${PORTS.pushgateway}, alertmanager: ${PORTS.alertmanager}, gnocchi: ${PORTS.gnocchi}, swift: ${PORTS.swift} }\n`,
    );
    course = loadCourse(file);
    await pipelineImagesReady(docker, progress);
    // Containers started here; Gnocchi's first start (schema upgrade) overlaps the first runs.
    await monitoringUp();
  });

  afterAll(async () => {
    if (course) await downLocal(docker, course, collectingProgress());
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('1 and 2 workers give identical VCFs, and recall on the simulated SNPs is at least 0.9', async () => {
    results.one = await runPipeline(course, { workers: 1, reads: READS, docker, progress });
    results.two = await runPipeline(course, { workers: 2, reads: READS, docker, progress });
    expect(results.one.evaluation.truth).toBeGreaterThan(20);
    expect(results.one.evaluation.recall).toBeGreaterThanOrEqual(0.9);
    expect(results.one.evaluation.precision).toBeGreaterThanOrEqual(0.9);
    expect(body(results.one.vcf).length).toBe(results.one.evaluation.called);
    expect(results.two.vcf).toBe(results.one.vcf);
    expect(new Set(results.two.shardJobs.map((j) => j.worker))).toEqual(new Set(['worker1', 'worker2']));
    expect(results.two.stages.map((s) => s.stage)).toEqual(['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate']);
    // Calling was cut differently (one region per worker) and still gave the same VCF above.
    expect([results.one.regions, results.two.regions]).toEqual([1, 2]);
  }, 300_000);

  it('each worker runs on a host core of its own, as a VM brings its own vCPU', async () => {
    const info = (await docker.info()) as { NCPU: number; CPUSet?: boolean };
    const cpusets = await Promise.all([1, 2].map(async (k) => (await docker.getContainer(workerName(course, k)).inspect()).HostConfig.CpusetCpus));
    if (info.CPUSet && info.NCPU >= 2) expect(cpusets).toEqual(['0', '1']);
    else expect(cpusets).toEqual(['', '']);
  });

  it('a worker killed mid-run: its shard is redone elsewhere, the VCF is identical, nothing is duplicated', async () => {
    let killed = false;
    const result = await runPipeline(course, {
      workers: 2,
      reads: READS,
      docker,
      progress,
      onProgress: (event) => {
        if (event.type === 'shard' && event.stage === 'align' && event.event === 'start' && event.worker === 'worker2' && !killed) {
          killed = true;
          void docker.getContainer(workerName(course, 2)).kill();
        }
      },
    });
    expect(killed).toBe(true);
    expect(result.lostWorkers).toEqual(['worker2']);
    expect(result.shardJobs).toHaveLength(result.shards);
    expect(result.shardJobs.some((j) => j.attempts > 1)).toBe(true);
    expect(result.shardJobs.reduce((sum, j) => sum + j.reads, 0)).toBe(READS * 2);
    expect(result.vcf).toBe(results.one!.vcf);
    // The shared volume holds exactly one BAM per shard and no partial file.
    const exec = await docker.getContainer(workerName(course, 1)).exec({ Cmd: ['sh', '-c', `ls /data/${result.run}`], AttachStdout: true });
    const stream = await exec.start({});
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const listing = Buffer.concat(chunks).toString('latin1');
    expect(listing.match(/shard-\d{3}\.bam/g)).toHaveLength(result.shards);
    expect(listing).not.toMatch(/\.tmp-/);
  }, 300_000);

  it('object storage (Swift, reference fetched at run time) gives the same VCF', async () => {
    const result = await runPipeline(course, { workers: 2, reads: READS, storage: 'object', docker, progress });
    expect(result.storage).toBe('object');
    expect(result.vcf).toBe(results.one!.vcf);
    // The report states both worker images' sizes and start-up: this run measured the cloud-native
    // one (its workers were made now), an earlier volume run the baked one.
    const byImage = new Map(result.images.map((i) => [i.image, i]));
    expect(byImage.get('resops/pipeline-cloud:latest')?.startup).toMatchObject({ run: result.run, readySeconds: result.startup.readySeconds });
    expect(byImage.get('resops/pipeline-cloud:latest')?.startup?.containerStartSeconds).toBeGreaterThan(0);
    const baked = byImage.get('resops/pipeline:latest')?.startup;
    expect(baked?.run).toMatch(/^run-/);
    expect(baked?.run).not.toBe(result.run);
    const report = readFileSync(join(result.reportDir, 'report.md'), 'utf8');
    expect(report).toContain(`| resops/pipeline:latest | ${byImage.get('resops/pipeline:latest')!.sizeMb} |`);
    expect(report).toMatch(/\| resops\/pipeline-cloud:latest \| [\d.]+ \| [\d.]+ \| [\d.]+ \| this one \|/);
  }, 300_000);

  it.each(['builtin', 'slurm'] as const)("a run's metrics (%s engine) are in Prometheus (via the Pushgateway) and in Gnocchi (one batch)", async (engine) => {
    await eventually('Pushgateway ready', () => ok(`http://127.0.0.1:${PORTS.pushgateway}/-/ready`), 120_000);
    await eventually('Prometheus ready', () => ok(`http://127.0.0.1:${PORTS.prometheus}/-/ready`), 120_000);
    await eventually('Gnocchi answers', () => ok(`http://127.0.0.1:${PORTS.gnocchi}/v1/status`, 'admin:'), 240_000);
    const result = await runPipeline(course, { workers: 2, reads: READS, docker, progress, engine });
    expect(result.metrics.problem).toBeUndefined();
    expect(result.metrics).toMatchObject({ pushgateway: true, gnocchi: true });

    const durations = await eventually(
      'stage durations scraped by Prometheus',
      async () => {
        const samples = await promQuery(PORTS.prometheus, `${METRIC.duration}{run="${result.run}"}`);
        // A scrape may fall mid-run: wait for one taken after the last stage pushed.
        return new Set(samples.map((sample) => sample.labels.stage)).size === 7 ? samples : undefined;
      },
      90_000,
    );
    expect(new Set(durations.map((s) => s.labels.stage))).toEqual(new Set(['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate']));
    const simulate = durations.find((s) => s.labels.stage === 'simulate')!;
    expect(simulate.value).toBeCloseTo(result.stages.find((s) => s.stage === 'simulate')!.seconds, 3);
    const progressSamples = await promQuery(PORTS.prometheus, `${METRIC.lastProgress}{run="${result.run}"}`);
    // On Slurm the head pushes too: gather and evaluate run there (localrules).
    expect(new Set(progressSamples.map((s) => s.labels.worker))).toEqual(new Set(engine === 'slurm' ? ['worker1', 'worker2', 'head'] : ['worker1', 'worker2']));
    expect(progressSamples.every((s) => s.labels.stage === undefined)).toBe(true);
    // Whatever pushed progress is marked finished, or PipelineWorkerStalled would fire for it.
    const finished = await eventually(
      'finished marks scraped by Prometheus',
      async () => {
        const samples = await promQuery(PORTS.prometheus, `${METRIC.finished}{run="${result.run}"}`);
        return samples.length >= progressSamples.length ? samples : undefined;
      },
      90_000,
    );
    expect(new Set(finished.map((s) => s.labels.worker))).toEqual(new Set(progressSamples.map((s) => s.labels.worker)));

    const gnocchi = `http://127.0.0.1:${PORTS.gnocchi}`;
    const resource = (await (await gnocchiRequest(gnocchi, 'GET', `/v1/resource/generic/${result.metrics.gnocchiResource}`)).json()) as { metrics: Record<string, string> };
    expect(Object.keys(resource.metrics)).toHaveLength(result.shards * 4);
    const metricId = resource.metrics['shard000.duration_seconds']!;
    const measures = (await (await gnocchiRequest(gnocchi, 'GET', `/v1/metric/${metricId}/measures?refresh=true`)).json()) as Array<[string, number, number]>;
    expect(measures.length).toBeGreaterThan(0);
    expect(measures.at(-1)![2]).toBeCloseTo(result.shardJobs[0]!.seconds, 3);
  }, 420_000);
});
