/**
 * The pipeline end to end on the real Docker daemon: the Snakemake workflow
 * (containers/pipeline/workflow) submitted to a real Slurm cluster (slurmctld on a head container,
 * slurmd on each worker, munge between them). A small run (3,000 read pairs): 1 and 2 workers give
 * byte-identical VCFs with recall ≥ 0.9, each worker on a core of its own; the cluster is what the
 * course says (one partition, its workers, their memory) and its munge key is the course's secret
 * (0600 on the host, 0400 for munge inside, in no label); a worker killed mid-run is noticed by
 * Slurm, its job requeued on the other, and the VCF stays the same. The cloud-native variant
 * (nodes that share no disk; every file an object in the course's Swift, through its S3 API) gives
 * the same VCF, leaves only the results in the bucket and reports both images' start-up. A run's
 * metrics reach Prometheus (through the Pushgateway, every reporter marked finished) and Gnocchi;
 * monitoring is started with the local driver's own functions (monitoring containers only, no
 * learner VM).
 * Skipped when no Docker daemon answers, except in CI (CI=1), where that is a failure.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { promQuery } from '../src/local/checks.js';
import { downLocal } from '../src/local/down.js';
import { ensureImages, type ImageName } from '../src/local/images.js';
import { collectingProgress } from '../src/local/progress.js';
import { applyPlan, listCourseObjects, planChanges, resolveLayout } from '../src/local/reconcile.js';
import { headName } from '../src/pipeline/cluster.js';
import { mungeKey } from '../src/pipeline/munge-key.js';
import { dockerNodeShell } from '../src/pipeline/node-shell.js';
import { partitionForRun } from '../src/pipeline/openstack-cluster.js';
import { ensureSwift, workerName } from '../src/pipeline/infra.js';
import { gnocchiAdmin } from '../src/access/gnocchi-users.js';
import { gnocchiRequest, METRIC } from '../src/pipeline/metrics.js';
import { runPipeline, STAGES, type PipelineResult } from '../src/pipeline/run.js';
import type { ClassView } from '../src/dashboard/class-view.js';
import { EventStore } from '../src/dashboard/event-store.js';
import { outboxFile, readOutbox, sendReports } from '../src/dashboard/reporter.js';
import { dashboardApp, listen } from '../src/dashboard/server.js';
import { ensureLearnerTokens, readTokenHashes } from '../src/dashboard/tokens.js';
import { pipelineRunsIn } from '../src/exercises/lab-files.js';
import { exercisesStateDir } from '../src/exercises/progress.js';
import { DEFAULTS } from '../src/pipeline/options.js';
import { runInContainer } from '../src/process/run-in-container.js';
import { courseYaml } from './helpers/course-yaml.js';
import { pipelineImagesReady } from './helpers/pipeline-images.js';
import { suiteDocker, suiteId } from './helpers/docker-suite.js';

const { docker, dockerAvailable } = await suiteDocker('the pipeline tests');

const { id: ID, n } = suiteId('t-pipe');
// Ports and CIDR apart from the local-target test's ranges (20000–59999 step 100, 10.100–199).
const PORT_BASE = 40000 + (n % 200) * 100;
const PORTS = { prometheus: PORT_BASE + 90, pushgateway: PORT_BASE + 91, alertmanager: PORT_BASE + 93, gnocchi: PORT_BASE + 41, swift: PORT_BASE + 80 };
const READS = 3000;
// Four shards, not the default eight: each is a Slurm job whose start-up (≈3 s) dwarfs its work at
// this size, and four still give each of two workers more than one.
const SHARDS = 4;
const MONITORING_IMAGES: ImageName[] = ['postgres', 'gnocchi', 'prometheus', 'pushgateway', 'alertmanager'];

let dir = '';
let course: Course;
const progress = collectingProgress();
const results: Record<string, PipelineResult> = {};

async function inContainer(name: string, cmd: string[]): Promise<string> {
  const result = await runInContainer(docker, docker.getContainer(name), name, cmd, { timeoutMs: 30_000, env: {} });
  return result.stdout;
}

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

async function monitoringReady(): Promise<void> {
  await eventually('Pushgateway ready', () => ok(`http://127.0.0.1:${PORTS.pushgateway}/-/ready`), 120_000);
  await eventually('Prometheus ready', () => ok(`http://127.0.0.1:${PORTS.prometheus}/-/ready`, `admin:${gnocchiAdmin(course).password}`), 120_000);
  await eventually('Gnocchi answers', () => ok(`http://127.0.0.1:${PORTS.gnocchi}/v1/status`, `admin:${gnocchiAdmin(course).password}`), 240_000);
}

const body = (vcf: string) => vcf.split('\n').filter((line) => line && !line.startsWith('#'));

describe.skipIf(!dockerAvailable)('pipeline on Snakemake + Slurm (Docker)', () => {
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

  it('1 and 2 workers give identical VCFs, recall and precision ≥ 0.9, every shard job on a node', async () => {
    results.one = await runPipeline(course, { workers: 1, reads: READS, shards: SHARDS, docker, progress, metrics: false });
    // The 2-worker run also pushes its metrics: the metrics test below reads them, instead of a
    // run of its own (a run costs a minute of CI). Monitoring started in beforeAll; by now it is
    // usually ready, and these waits are bounded.
    await monitoringReady();
    // learner1 has a dashboard file: their run is queued for it (the test after next sends it).
    ensureLearnerTokens(course, { url: 'http://127.0.0.1:9', handouts: join(dir, 'handouts'), exercisesDir: exercisesStateDir(course) });
    results.two = await runPipeline(course, { workers: 2, reads: READS, shards: SHARDS, docker, progress, learner: 'learner1' });
    expect(results.one.evaluation.truth).toBeGreaterThan(20);
    expect(results.one.evaluation.recall).toBeGreaterThanOrEqual(0.9);
    expect(results.one.evaluation.precision).toBeGreaterThanOrEqual(0.9);
    expect(body(results.one.vcf).length).toBe(results.one.evaluation.called);
    expect(results.two.vcf).toBe(results.one.vcf);
    expect(results.two.evaluation).toEqual(results.one.evaluation);
    // The same cut for both (a cut per worker changes a call at high depth).
    expect([results.one.regions, results.two.regions]).toEqual([DEFAULTS.regions, DEFAULTS.regions]);
    expect(results.two.stages.map((s) => s.stage)).toEqual(['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate']);
    expect(results.two.shardJobs.map((j) => j.shard)).toEqual([...Array(results.two.shards).keys()]);
    expect(new Set(results.two.shardJobs.map((j) => j.worker))).toEqual(new Set(['worker1', 'worker2']));
    expect(new Set(results.one.shardJobs.map((j) => j.worker))).toEqual(new Set(['worker1']));
    expect(results.two.shardJobs.reduce((sum, j) => sum + j.reads, 0)).toBe(READS * 2);
    expect(results.two.shardJobs.every((j) => j.seconds > 0 && j.bytes > 0 && j.attempts === 1)).toBe(true);
    // One Slurm job per shard (its three steps grouped), per region, and for simulate and merge;
    // gather and evaluate run on the head (localrules).
    expect(results.two.scheduler.slurmJobs).toBe(1 + results.two.shards + 1 + results.two.regions);
    expect(results.two.stages.filter((s) => s.stage === 'gather' || s.stage === 'evaluate').map((s) => s.worker)).toEqual(['head', 'head']);
    const overhead = results.two.scheduler;
    for (const part of [overhead.dispatchMedianSeconds, overhead.jobStartupMedianSeconds, overhead.noticedMedianSeconds]) expect(part).toBeGreaterThan(0);
    expect(overhead.overheadPerJobSeconds).toBeCloseTo(overhead.dispatchMedianSeconds + overhead.jobStartupMedianSeconds + overhead.noticedMedianSeconds, 2);
  }, 600_000);

  it("a learner's run is theirs: the report names them, their checks count it and another learner's do not, and the dashboard shows it stage by stage", async () => {
    const two = results.two!;
    expect((JSON.parse(readFileSync(join(two.reportDir, 'report.json'), 'utf8')) as { learner?: string }).learner).toBe('learner1');
    expect(results.one!.learner).toBeUndefined();
    // Checks count a learner's own runs and runs nobody claimed (the 1-worker one), never another's.
    const counted = (learner: string) => pipelineRunsIn(resolve(course.dir, course.stateDir), new Date(0), learner).map((r) => r.run);
    expect(counted('learner1')).toEqual([results.one!.run, two.run]);
    expect(counted('learner2')).toEqual([results.one!.run]);
    const exercisesDir = exercisesStateDir(course);
    expect(readOutbox(outboxFile(exercisesDir, 'learner1')).pending.map((e) => e.kind)).toEqual(['pipeline']);

    const store = EventStore.open(join(dir, 'dashboard', 'events.jsonl'));
    const { app, close } = dashboardApp({ course, exercises: [], store, exercisesDir, tokenHashes: () => readTokenHashes(course) });
    const { server, url } = await listen(app, '127.0.0.1', 0);
    try {
      ensureLearnerTokens(course, { url, handouts: join(dir, 'handouts'), exercisesDir });
      expect(await sendReports(exercisesDir, 'learner1')).toEqual({ sent: 1, left: 0 });
      const view = (await (await fetch(`${url}/api/class`, { signal: AbortSignal.timeout(10_000) })).json()) as ClassView;
      const shown = view.pipeline.runs.find((r) => r.run === two.run);
      expect(shown).toMatchObject({ learner: 'learner1', workers: 2, storage: 'volume', reads: READS, lostWorkers: 0, f1: two.evaluation.f1 });
      expect(shown!.stages).toEqual(two.stages.map((s) => ({ stage: s.stage, seconds: s.seconds })));
      // Found in this machine's state directory, nobody's.
      expect(view.pipeline.runs.find((r) => r.run === results.one!.run)?.learner).toBeUndefined();
      const page = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text();
      const chart = page.slice(page.indexOf('id="stages-chart"'), page.indexOf('</figure>', page.indexOf('id="stages-chart"')));
      expect(chart).toContain('<svg');
      for (const stage of STAGES) expect(chart).toContain(`>${stage}</text>`);
      expect(chart).toContain(`learner1 · ${two.run.replace(/^run-/, '')}`);
    } finally {
      close();
      server.close();
    }
  });

  it('each worker runs on a host core of its own, as a VM brings its own vCPU', async () => {
    const info = (await docker.info()) as { NCPU: number; CPUSet?: boolean };
    const cpusets = await Promise.all([1, 2].map(async (k) => (await docker.getContainer(workerName(course, k)).inspect()).HostConfig.CpusetCpus));
    if (info.CPUSet && info.NCPU >= 2) expect(cpusets).toEqual(['0', '1']);
    else expect(cpusets).toEqual(['', '']);
  });

  it('the cluster is the course: one partition of its workers with the worker flavor\'s memory, and the run\'s nodes only', async () => {
    const nodes = (await inContainer(headName(course), ['sinfo', '--noheader', '--Node', '--format=%N %P %c %m'])).trim().split('\n').sort();
    expect(nodes).toEqual([`worker1 main* 1 ${course.cloud.flavors.worker.ramMb}`, `worker2 main* 1 ${course.cloud.flavors.worker.ramMb}`]);
    // A job submitted by hand runs on a node, as a learner's sbatch would.
    const out = await inContainer(headName(course), ['srun', '--nodes=1', '--ntasks=1', 'hostname']);
    expect(out.trim()).toMatch(new RegExp(`^${workerName(course, 1)}|${workerName(course, 2)}$`));
  }, 120_000);

  it('a run of fewer workers than nodes drains the rest and gives back only those (as on a cloud\'s VMs; this is the local Slurm)', async () => {
    const head = headName(course);
    const shell = dockerNodeShell(docker);
    // sinfo's `*` after a state means the node did not answer Slurm's last ping: not the run's business.
    const state = async (node: string) => (await inContainer(head, ['sinfo', '--noheader', '--Node', `--nodes=${node}`, '--format=%T|%E'])).trim();
    const one = await partitionForRun(shell, head, ['worker1', 'worker2'], 1, progress);
    expect(one.drained).toEqual(['worker2']);
    expect(await state('worker2')).toMatch(/^drain\S*\|resops run with 1 worker$/);
    await one.resume();
    expect(await state('worker2')).toMatch(/^idle\*?\|/);
    // Drained by an admin: not the run's to drain, nor to resume.
    await inContainer(head, ['scontrol', 'update', 'NodeName=worker2', 'State=DRAIN', 'Reason=maintenance']);
    const again = await partitionForRun(shell, head, ['worker1', 'worker2'], 1, progress);
    expect(again.drained).toEqual([]);
    await again.resume();
    expect(await state('worker2')).toMatch(/^drain\S*\|maintenance$/);
    // Left drained by a run that was killed: the next run that needs it takes it back.
    await inContainer(head, ['scontrol', 'update', 'NodeName=worker2', 'State=RESUME']);
    await inContainer(head, ['scontrol', 'update', 'NodeName=worker1', 'State=DRAIN', 'Reason=resops run with 1 worker']);
    await partitionForRun(shell, head, ['worker1', 'worker2'], 2, progress);
    expect(await state('worker1')).toMatch(/^idle\*?\|/);
    expect(await state('worker2')).toMatch(/^idle\*?\|/);
  }, 60_000);

  it('the munge key is the course\'s secret: 0600 on the host, 0400 for munge inside, in no label or environment', async () => {
    const file = join(dir, course.stateDir, 'pipeline', 'munge.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = mungeKey(course);
    expect(key.length).toBe(1024);
    for (const name of [headName(course), workerName(course, 1)]) {
      expect((await inContainer(name, ['stat', '-c', '%U %a', '/etc/munge/munge.key'])).trim()).toBe('munge 400');
      expect(await inContainer(name, ['sha256sum', '/etc/munge/munge.key'])).toContain(createHash('sha256').update(key).digest('hex'));
      const info = await docker.getContainer(name).inspect();
      const visible = JSON.stringify({ labels: info.Config.Labels, env: info.Config.Env });
      expect(visible).not.toContain(key.toString('base64').slice(0, 24));
      expect(visible).not.toContain(key.toString('hex').slice(0, 24));
    }
  }, 60_000);

  it('cloud-native: workers that share no disk, only Swift through Snakemake\'s S3 remote files, give the same VCF', async () => {
    const result = await runPipeline(course, { workers: 2, reads: READS, shards: SHARDS, docker, progress, metrics: false, storage: 'object' });
    expect(result.storage).toBe('object');
    expect(result.vcf).toBe(results.one!.vcf);
    expect(result.evaluation).toEqual(results.one!.evaluation);
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
    // The report states both worker images' sizes and start-up: this run measured the cloud-native
    // one (its nodes were made now), an earlier volume run the baked one.
    const byImage = new Map(result.images.map((i) => [i.image, i]));
    expect(byImage.get('resops/pipeline-cloud:latest')?.startup).toMatchObject({ run: result.run, readySeconds: result.startup.readySeconds });
    expect(byImage.get('resops/pipeline-cloud:latest')?.startup?.containerStartSeconds).toBeGreaterThan(0);
    const baked = byImage.get('resops/pipeline:latest')?.startup;
    expect(baked?.run).toMatch(/^run-/);
    expect(baked?.run).not.toBe(result.run);
    const report = readFileSync(join(result.reportDir, 'report.md'), 'utf8');
    expect(report).toContain(`| resops/pipeline:latest | ${byImage.get('resops/pipeline:latest')!.sizeMb} |`);
    expect(report).toMatch(/\| resops\/pipeline-cloud:latest \| [\d.]+ \| [\d.]+ \| [\d.]+ \| this one \|/);
  }, 600_000);

  it('a worker killed mid-run: Slurm requeues its job on the other node and the VCF is the same', async () => {
    let killed = false;
    const result = await runPipeline(course, {
      workers: 2,
      reads: READS,
      shards: SHARDS,
      docker,
      progress,
      metrics: false,
      onProgress: (event) => {
        if (event.type === 'shard' && event.stage === 'align' && event.event === 'start' && event.worker === 'worker2' && !killed) {
          killed = true;
          void docker.getContainer(workerName(course, 2)).kill();
        }
      },
    });
    expect(killed).toBe(true);
    expect(result.lostWorkers).toEqual(['worker2']);
    expect(result.vcf).toBe(results.one!.vcf);
    expect(result.shardJobs).toHaveLength(result.shards);
    expect(result.shardJobs.some((j) => j.attempts > 1)).toBe(true);
    expect(result.shardJobs.filter((j) => j.attempts > 1).every((j) => j.worker === 'worker1')).toBe(true);
    expect(result.shardJobs.reduce((sum, j) => sum + j.reads, 0)).toBe(READS * 2);
  }, 600_000);

  it("a run's metrics are in Prometheus (via the Pushgateway) and in Gnocchi (one batch)", async () => {
    const result = results.two!;
    expect(result.metrics.problem).toBeUndefined();
    expect(result.metrics).toMatchObject({ pushgateway: true, gnocchi: true });

    const durations = await eventually(
      'stage durations scraped by Prometheus',
      async () => {
        const samples = await promQuery(PORTS.prometheus, `${METRIC.duration}{run="${result.run}"}`, gnocchiAdmin(course));
        // A scrape may fall mid-run: wait for one taken after the last stage pushed.
        return new Set(samples.map((sample) => sample.labels.stage)).size === 7 ? samples : undefined;
      },
      90_000,
    );
    expect(new Set(durations.map((s) => s.labels.stage))).toEqual(new Set(['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate']));
    const simulate = durations.find((s) => s.labels.stage === 'simulate')!;
    expect(simulate.value).toBeCloseTo(result.stages.find((s) => s.stage === 'simulate')!.seconds, 3);
    const progressSamples = await promQuery(PORTS.prometheus, `${METRIC.lastProgress}{run="${result.run}"}`, gnocchiAdmin(course));
    // The head pushes too: gather and evaluate run there (localrules).
    expect(new Set(progressSamples.map((s) => s.labels.worker))).toEqual(new Set(['worker1', 'worker2', 'head']));
    expect(progressSamples.every((s) => s.labels.stage === undefined)).toBe(true);
    // Whatever pushed progress is marked finished, or PipelineWorkerStalled would fire for it.
    const finished = await eventually(
      'finished marks scraped by Prometheus',
      async () => {
        const samples = await promQuery(PORTS.prometheus, `${METRIC.finished}{run="${result.run}"}`, gnocchiAdmin(course));
        return samples.length >= progressSamples.length ? samples : undefined;
      },
      90_000,
    );
    expect(new Set(finished.map((s) => s.labels.worker))).toEqual(new Set(progressSamples.map((s) => s.labels.worker)));

    const gnocchi = `http://127.0.0.1:${PORTS.gnocchi}`;
    const resource = (await (await gnocchiRequest(gnocchi, gnocchiAdmin(course), 'GET', `/v1/resource/generic/${result.metrics.gnocchiResource}`)).json()) as { metrics: Record<string, string> };
    expect(Object.keys(resource.metrics)).toHaveLength(result.shards * 4);
    const metricId = resource.metrics['shard000.duration_seconds']!;
    const measures = (await (await gnocchiRequest(gnocchi, gnocchiAdmin(course), 'GET', `/v1/metric/${metricId}/measures?refresh=true`)).json()) as Array<[string, number, number]>;
    expect(measures.length).toBeGreaterThan(0);
    expect(measures.at(-1)![2]).toBeCloseTo(result.shardJobs[0]!.seconds, 3);
  }, 420_000);
});
