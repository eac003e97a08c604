/**
 * The `local` target: the whole course on this machine's Docker daemon (docs/topology.md, "Local
 * target"). Progress goes to stderr; results (tables, or JSON with `--json`) to stdout.
 */
import type Docker from 'dockerode';
import { formatTable, formatSeconds } from '../cli/table.js';
import { defaultRunStorage, LABELS, type Course } from '../course/model.js';
import { TargetError, type CommandOptions, type TargetDriver } from '../targets/driver.js';
import { DEBIAN_BASE, ensureDebianBase } from './base-image.js';
import { connectDocker } from './docker.js';
import { downLocal } from './down.js';
import { ensureImages, IMAGE_NAMES, imagesToBuild, type ImageName } from './images.js';
import { stderrProgress, type Progress } from './progress.js';
import { applyPlan, containerName, describePlan, listCourseObjects, planChanges, resolveLayout, type Change } from './reconcile.js';
import { collectStatus, formatStatus, serviceUrl, sshCommand, type StatusReport } from './status.js';
import type { LocalLayout } from './layout.js';

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** How long `up` waits for everything to answer: first starts run gnocchi-upgrade and first scrapes. */
const HEALTH_DEADLINE_MS = 180_000;

async function connect(progress: Progress): Promise<Docker> {
  const { docker, info } = await connectDocker();
  progress.step(`docker ${info.version} (API ${info.apiVersion})`);
  return docker;
}

function checkLearner(course: Course, learner: string | undefined): void {
  if (learner && !course.learners.some((l) => l.id === learner)) {
    throw new TargetError(`${course.file}: no learner \`${learner}\` in course ${course.id}`, `use one of: ${course.learners.map((l) => l.id).join(', ')}`);
  }
}

export interface Endpoints {
  vms: Array<{ learner: string; vm: number; container: string; ssh: string }>;
  services: Array<{ service: string; container: string; url: string }>;
}

export function endpoints(layout: LocalLayout): Endpoints {
  return {
    vms: layout.containers
      .filter((c) => c.service === 'vm')
      .map((c) => ({ learner: c.learner!.id, vm: c.vm!, container: c.name, ssh: sshCommand(c) })),
    services: layout.containers
      .filter((c) => c.role === 'monitoring' && c.ports.length)
      .map((c) => ({ service: c.service, container: c.name, url: serviceUrl(c)! })),
  };
}

function formatEndpoints(found: Endpoints): string[] {
  return formatTable(
    ['WHAT', 'CONTAINER', 'WHERE'],
    [
      ...found.vms.map((v) => [`${v.learner} vm${v.vm}`, v.container, v.ssh]),
      ...found.services.map((s) => [s.service, s.container, s.service === 'gnocchi' ? `${s.url} (user admin, empty password)` : s.url]),
    ],
  );
}

/** Names of what is not healthy yet, with the failing check's detail. */
function unhealthy(report: StatusReport): string[] {
  const items = [
    ...report.learners.flatMap((l) => l.vms.map((v) => ({ name: v.container, state: v.state, checks: v.checks }))),
    ...report.services.map((s) => ({ name: s.service, state: s.state, checks: s.checks })),
  ];
  return items
    .filter((i) => i.state !== 'healthy' && i.state !== 'running')
    .map((i) => {
      const failed = i.checks.find((c) => !c.ok);
      return failed ? `${i.name} (${failed.detail})` : `${i.name} (${i.state})`;
    });
}

/** Polls status until everything is healthy or the deadline passes; bounded, one round a second. */
export async function waitHealthy(docker: Docker, course: Course, progress: Progress, deadlineMs = HEALTH_DEADLINE_MS, learner?: string): Promise<StatusReport> {
  const until = Date.now() + deadlineMs;
  let last = '';
  for (;;) {
    const report = await collectStatus(docker, course, learner);
    if (report.healthy) return report;
    const waiting = unhealthy(report).join(', ');
    if (Date.now() > until) return report;
    if (waiting !== last) progress.step(`waiting for: ${waiting}`);
    last = waiting;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function up(course: Course, options: CommandOptions): Promise<number> {
  checkLearner(course, options.learner);
  const progress = stderrProgress();
  const docker = await connect(progress);
  const base = await ensureDebianBase(docker, progress);
  if (base !== 'present') progress.step(`image ${DEBIAN_BASE}: ${base}`);
  const images = await ensureImages(docker, progress);
  const built = [...images.values()].filter((i) => i.built).map((i) => i.name);
  progress.step(`images: ${built.length ? `built ${built.join(', ')}` : `all ${images.size} up to date`}`);

  const existing = await listCourseObjects(docker, course.id);
  const layout = await resolveLayout(docker, course, existing);
  const imageIds = new Map<ImageName, string>([...images.values()].map((i) => [i.name, i.id]));
  const learner = options.learner;
  const plan = planChanges(course, layout, existing, imageIds, learner === undefined ? {} : { learner });
  const changes = await applyPlan(docker, course, plan, existing, progress);
  // The pipeline's Slurm cluster (head and workers) is the course's too (the pipeline stack on
  // OpenStack); the pipeline module owns it because a run may switch its image (storage volume or
  // object) and its node list.
  // For one learner it is shared: made when missing, never changed.
  const cluster = await import('../pipeline/cluster.js');
  const clusterMissing = !existing.containers.some((c) => containerName(c) === cluster.headName(course));
  const workers = course.pipeline.workers > 0 && (learner === undefined || clusterMissing) ? await cluster.ensureLocalCluster(docker, course, course.pipeline.workers, defaultRunStorage(course.pipeline), progress) : undefined;
  const workersCreated = workers?.startSeconds.length ?? 0;
  if (!changes.length && !workersCreated) {
    progress.step(`nothing to change: ${layout.networks.length} networks and ${layout.containers.length} containers are up to date`);
  }
  const report = await waitHealthy(docker, course, progress, changes.length || built.length || workersCreated ? HEALTH_DEADLINE_MS : 30_000, learner);
  const elapsed = progress.elapsed();
  const found = endpoints(layout);
  if (options.json) {
    const pipeline = workers ? { workers: workers.workers.map((w) => w.container), storage: workers.storage, created: workersCreated } : undefined;
    printJson({ course: course.id, changed: changes.length > 0 || workersCreated > 0, changes, imagesBuilt: built, healthy: report.healthy, elapsedSeconds: elapsed / 1000, endpoints: found, ...(pipeline ? { pipeline } : {}) });
  } else {
    const count = changes.length + workersCreated;
    print(`course ${course.id}: ${count ? `${count} change${count === 1 ? '' : 's'}` : 'no changes'} in ${formatSeconds(elapsed)}${report.healthy ? ', everything healthy' : ''}`);
    print();
    for (const line of formatEndpoints(found)) print(line);
    if (workers) print(`pipeline workers: ${workers.workers.map((w) => w.container).join(', ')} (storage ${workers.storage}; \`resops pipeline run ${course.file}\`)`);
    if (!report.healthy) {
      print();
      print(`NOT healthy after ${formatSeconds(elapsed)}: ${unhealthy(report).join(', ')}`);
      print(`see \`resops status ${course.file}\` and \`docker logs <container>\``);
    }
  }
  return report.healthy ? 0 : 1;
}

async function status(course: Course, options: CommandOptions): Promise<number> {
  checkLearner(course, options.learner);
  const { docker } = await connectDocker();
  const report = await collectStatus(docker, course, options.learner);
  if (!report.exists) {
    throw new TargetError(
      `course ${course.id} is not up on this Docker daemon (nothing is labelled ${LABELS.course}=${course.id})`,
      `start it with \`resops up ${course.file}\``,
    );
  }
  if (options.json) printJson(report);
  else for (const line of formatStatus(report)) print(line);
  return report.healthy ? 0 : 1;
}

async function down(course: Course, options: CommandOptions): Promise<number> {
  checkLearner(course, options.learner);
  if (options.learner !== undefined && options.images) {
    throw new TargetError('--images with --learner: the images are shared by every learner of every course', `remove one learner's machines with \`--learner ${options.learner}\`, the images with the whole course's \`down --images\``, 2);
  }
  const progress = stderrProgress();
  const docker = await connect(progress);
  const result = await downLocal(docker, course, progress, { images: options.images === true, ...(options.learner === undefined ? {} : { learner: options.learner }) });
  const label = `${LABELS.course}=${course.id}${options.learner === undefined ? '' : `,${LABELS.learner}=${options.learner}`}`;
  if (options.json) {
    printJson({ course: course.id, ...result, clean: result.left.length === 0, elapsedSeconds: progress.elapsed() / 1000 });
  } else if (result.left.length) {
    print(`NOT clean: still labelled ${label}:`);
    for (const item of result.left) print(`  ${item}`);
  } else if (!result.removed.length) {
    print(`nothing labelled ${label}: nothing to remove`);
  } else {
    print(`removed ${result.removed.length} objects in ${formatSeconds(progress.elapsed())}; nothing labelled ${label} is left`);
  }
  if (!options.json && result.imagesKept.length) print(`images kept (still in use): ${result.imagesKept.join(', ')}`);
  if (!options.json && !options.images && result.removed.length) print('built images are kept for the next `up` (remove them with `down --images`)');
  return result.left.length ? 1 : 0;
}

async function plan(course: Course, options: CommandOptions): Promise<number> {
  checkLearner(course, options.learner);
  const progress = stderrProgress();
  const docker = await connect(progress);
  const stale = await imagesToBuild(docker, IMAGE_NAMES);
  const existing = await listCourseObjects(docker, course.id);
  const layout = await resolveLayout(docker, course, existing);
  const imageIds = new Map<ImageName, string>();
  for (const name of IMAGE_NAMES) {
    if (stale.includes(name)) continue;
    const info = await docker.getImage(`resops/${name}:latest`).inspect().catch(() => undefined);
    if (info) imageIds.set(name, info.Id);
  }
  const changes: Change[] = [
    ...stale.map((name) => ({ object: `image resops/${name}`, action: 'create' as const, why: 'build context changed or image missing' })),
    ...describePlan(planChanges(course, layout, existing, imageIds, options.learner === undefined ? {} : { learner: options.learner })),
    ...(await missingWorkers(course, existing)),
  ];
  if (options.json) printJson({ course: course.id, changes });
  else if (!changes.length) print(`course ${course.id}: nothing to change`);
  else {
    print(`course ${course.id}: \`up\` would make ${changes.length} change${changes.length === 1 ? '' : 's'}`);
    for (const change of changes) print(`  ${change.action.padEnd(8)} ${change.object}${change.why ? ` (${change.why})` : ''}`);
  }
  return 0;
}

/** Workers `up` would create (src/pipeline owns them, so they are not in the layout's plan). */
async function missingWorkers(course: Course, existing: Awaited<ReturnType<typeof listCourseObjects>>): Promise<Change[]> {
  if (course.pipeline.workers < 1) return [];
  const { workerName } = await import('../pipeline/infra.js');
  const have = new Set(existing.containers.map(containerName));
  return Array.from({ length: course.pipeline.workers }, (_, i) => workerName(course, i + 1))
    .filter((name) => !have.has(name))
    .map((name) => ({ object: `container ${name}`, action: 'create' as const, why: `pipeline worker, storage ${course.pipeline.storage}` }));
}

export const localDriver: TargetDriver = { plan, up, down, status };
