/**
 * `resops reap`: labs that outlive their course are stopped or destroyed. With the course file it
 * acts on that course (either target); with `--cloud NAME` it finds expired courses in the
 * project by their labels alone (`resops-expires`, `resops-expiry-action`) and acts on each.
 * Stopping keeps everything (disks, addresses, state) so `up` brings the lab back; destroying ends
 * with the leak check, as `down` does.
 */
import type Docker from 'dockerode';
import { expiryState, type ExpiryState } from '../course/expiry.js';
import { LABELS, type Course, type ExpiryAction } from '../course/model.js';
import type { OpenStackClient } from '../openstack/client.js';
import { findLabelledCourses, isExpired, type LabelledCourse } from '../openstack/expired-courses.js';
import { findLeftovers, formatLeftovers, sweepLeftovers, type Leftover } from '../openstack/leftovers.js';
import { listCourseServers } from '../openstack/servers.js';
import { containerName } from '../local/reconcile.js';

export interface StopResult {
  /** Names stopped now (with `dryRun`: that would be). */
  stopped: string[];
  /** Names that were not running already. */
  alreadyStopped: string[];
  failed: Array<{ name: string; error: string }>;
}

/** What reap does to one course, from its expiry state. */
export type ReapDecision = { act: false; why: string } | { act: true; action: ExpiryAction };

export function reapDecision(state: ExpiryState): ReapDecision {
  if (state.kind === 'never') return { act: false, why: 'the course has no course.end, so it never expires' };
  if (state.kind === 'running') return { act: false, why: `it expires ${state.at.toISOString()}; nothing is done before then` };
  return { act: true, action: state.action };
}

export function reapDecisionFor(course: Pick<Course, 'end' | 'expiry'>, now = new Date()): ReapDecision {
  return reapDecision(expiryState(course, now));
}

/** Server statuses Nova can stop from; the rest are stopped, going away, or in no state to be asked. */
const STOPPABLE = new Set(['ACTIVE', 'PAUSED', 'SUSPENDED', 'RESCUE']);

/**
 * Stops the course's servers (Nova `os-stop`) and waits, bounded, until each is SHUTOFF.
 * Servers belong to the course by label, or by name prefix when unlabelled, as in the leak check.
 */
export async function stopCourseServers(
  client: OpenStackClient,
  courseId: string,
  options: { dryRun: boolean; progress: (line: string) => void; waitMs?: number; pollMs?: number },
): Promise<StopResult> {
  const ours = await listCourseServers(client, courseId);
  const result: StopResult = { stopped: [], alreadyStopped: [], failed: [] };
  const toStop = ours.filter((s) => STOPPABLE.has(s.status));
  result.alreadyStopped = ours.filter((s) => !STOPPABLE.has(s.status)).map((s) => s.name).sort();
  if (options.dryRun) {
    result.stopped = toStop.map((s) => s.name).sort();
    return result;
  }
  const asked: typeof toStop = [];
  for (const server of toStop) {
    options.progress(`stopping server ${server.name} (${server.status}) …`);
    try {
      await client.compute.serverAction(server.id, 'os-stop');
      asked.push(server);
    } catch (error) {
      result.failed.push({ name: server.name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const deadline = Date.now() + (options.waitMs ?? 180_000);
  const pending = new Map(asked.map((s) => [s.id, s.name]));
  while (pending.size > 0) {
    for (const [id, name] of [...pending]) {
      const now = await client.compute.getServer(id);
      if (!now || now.status === 'SHUTOFF') {
        pending.delete(id);
        result.stopped.push(name);
        options.progress(`server ${name}: ${now ? 'SHUTOFF' : 'gone'}`);
      } else if (now.status === 'ERROR') {
        pending.delete(id);
        result.failed.push({ name, error: `went to ERROR${now.fault ? `: ${now.fault}` : ''}` });
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      for (const name of pending.values()) result.failed.push({ name, error: `not SHUTOFF within ${Math.round((options.waitMs ?? 180_000) / 1000)} s` });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
  }
  result.stopped.sort();
  return result;
}

/** Stops the running containers labelled with the course; networks and volumes stay for `up`. */
export async function stopCourseContainers(docker: Docker, courseId: string, options: { dryRun: boolean; progress: (line: string) => void }): Promise<StopResult> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABELS.course}=${courseId}`] } });
  const running = containers.filter((c) => c.State === 'running' || c.State === 'restarting' || c.State === 'paused');
  const result: StopResult = { stopped: [], alreadyStopped: containers.filter((c) => !running.includes(c)).map(containerName).sort(), failed: [] };
  for (const container of running) {
    if (options.dryRun) {
      result.stopped.push(containerName(container));
      continue;
    }
    options.progress(`stopping container ${containerName(container)} …`);
    try {
      // Docker's own bound: SIGTERM, then SIGKILL after 10 s.
      await docker.getContainer(container.Id).stop({ t: 10 });
      result.stopped.push(containerName(container));
    } catch (error) {
      // 304: it stopped in the meantime.
      if ((error as { statusCode?: number }).statusCode === 304) result.stopped.push(containerName(container));
      else result.failed.push({ name: containerName(container), error: error instanceof Error ? error.message : String(error) });
    }
  }
  result.stopped.sort();
  return result;
}

export interface CloudCourseReap extends LabelledCourse {
  state: 'expired' | 'running' | 'no-expiry';
  /** `stop`: what was stopped. */
  stop?: StopResult;
  /** `destroy`: what the sweep found and deleted, and what the leak check still sees after it. */
  destroy?: { found: Leftover[]; deleted: Leftover[]; failed: Array<{ leftover: Leftover; error: string }>; remaining: Leftover[] };
  clean: boolean;
}

/**
 * `reap --cloud`: every course labelled in the project, expired ones reaped by their own labels.
 * A course that is not expired, or carries no expiry label, is listed and left exactly as it is.
 */
export async function reapCloudCourses(
  client: OpenStackClient,
  options: { dryRun: boolean; now?: Date; progress: (line: string) => void; waitMs?: number },
): Promise<CloudCourseReap[]> {
  const now = options.now ?? new Date();
  const results: CloudCourseReap[] = [];
  for (const course of await findLabelledCourses(client)) {
    if (!isExpired(course, now)) {
      results.push({ ...course, state: course.expires === undefined ? 'no-expiry' : 'running', clean: true });
      continue;
    }
    // A label without an action is an older resource's: stopping is the mild choice.
    const action = course.action ?? 'stop';
    if (action === 'stop') {
      const stop = await stopCourseServers(client, course.course, { dryRun: options.dryRun, progress: options.progress, ...(options.waitMs ? { waitMs: options.waitMs } : {}) });
      results.push({ ...course, action, state: 'expired', stop, clean: stop.failed.length === 0 });
      continue;
    }
    const found = await findLeftovers(client, course.course);
    if (options.dryRun) {
      results.push({ ...course, action, state: 'expired', destroy: { found, deleted: [], failed: [], remaining: found }, clean: true });
      continue;
    }
    options.progress(`destroying course ${course.course} (expired ${course.expires}): ${found.length} resource(s) …`);
    const swept = await sweepLeftovers(client, course.course, { leftovers: found, onProgress: options.progress, ...(options.waitMs ? { waitMs: options.waitMs } : {}) });
    results.push({ ...course, action, state: 'expired', destroy: { found, ...swept }, clean: swept.remaining.length === 0 });
  }
  return results;
}

/** Lines for the terminal. */
export function renderCloudReaps(cloud: string, reaps: readonly CloudCourseReap[], dryRun: boolean): string[] {
  const lines: string[] = [];
  const would = dryRun ? 'would be ' : '';
  if (reaps.length === 0) lines.push(`no resource in cloud "${cloud}" carries a course label (resops-course=…): nothing to reap`);
  for (const r of reaps) {
    if (r.state === 'no-expiry') lines.push(`${r.course}: no expiry label (no course.end, or made by an older resops): left alone`);
    else if (r.state === 'running') lines.push(`${r.course}: expires ${r.expires}: left alone`);
    else if (r.stop) {
      lines.push(`${r.course}: expired ${r.expires}, action stop: ${r.stop.stopped.length} server(s) ${would}stopped, ${r.stop.alreadyStopped.length} not running${r.stop.stopped.length ? ` (${r.stop.stopped.join(', ')})` : ''}`);
      for (const f of r.stop.failed) lines.push(`  ✖ ${f.name}: ${f.error}`);
    } else if (r.destroy) {
      lines.push(`${r.course}: expired ${r.expires}, action destroy: ${r.destroy.found.length} resource(s) ${dryRun ? 'would be deleted' : `found, ${r.destroy.deleted.length} deleted`}`);
      if (dryRun) lines.push(...formatLeftovers(r.destroy.found).map((l) => `  ${l}`));
      for (const f of r.destroy.failed) lines.push(`  ✖ could not delete ${f.leftover.kind} ${f.leftover.name || f.leftover.id}: ${f.error}`);
      if (!dryRun) {
        lines.push(
          r.destroy.remaining.length === 0
            ? `  ✔ leak check: nothing labelled resops-course=${r.course} or named ${r.course}-… is left, and Keystone holds no account of it`
            : `  ✖ leak check: ${r.destroy.remaining.length} resource(s) of ${r.course} still left:`,
        );
        lines.push(...formatLeftovers(r.destroy.remaining).map((l) => `    ${l}`));
      }
    }
  }
  return lines;
}
