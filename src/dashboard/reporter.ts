import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../course/private-state.js';
import { fetchWithin } from '../net/deadline.js';
import { BATCH_EVENTS, type ProgressEvent, type UnsequencedEvent } from './events.js';
import type { LearnerDashboardFile } from './tokens.js';

/**
 * The learner's side of progress reporting. Every exercise command that changes progress puts an
 * event in the learner's outbox (`<exercises>/<id>/outbox.json`, numbered 1, 2, 3, …) before it
 * tries to send anything, so a dashboard that is down loses nothing: the next command (or
 * `resops exercise sync`) sends the queue, and the dashboard keeps each event once, in order.
 */

export interface Outbox {
  version: 1;
  /** The seq the next event gets. */
  nextSeq: number;
  /** Events not acknowledged yet, oldest first. */
  pending: ProgressEvent[];
}

/** How long one send may take: a learner's command must not hang on an unreachable dashboard. */
export const SEND_TIMEOUT_MS = 3000;

export function outboxFile(exercisesDir: string, learner: string): string {
  return join(exercisesDir, learner, 'outbox.json');
}

export function dashboardConfigFile(exercisesDir: string, learner: string): string {
  return process.env.RESOPS_DASHBOARD_FILE ?? join(exercisesDir, learner, 'dashboard.json');
}

/** The learner's dashboard file, when the course has a dashboard for them; a broken file is an error naming it. */
export function readDashboardConfig(exercisesDir: string, learner: string): LearnerDashboardFile | undefined {
  const file = dashboardConfigFile(exercisesDir, learner);
  if (!existsSync(file)) return undefined;
  let parsed: Partial<LearnerDashboardFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LearnerDashboardFile>;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); ask your instructor for your <id>.dashboard.json again`);
  }
  if (typeof parsed.url !== 'string' || typeof parsed.token !== 'string' || parsed.learner !== learner) {
    throw new Error(`${file}: not the dashboard file of learner ${learner} (it needs url, learner and token)`);
  }
  return parsed as LearnerDashboardFile;
}

export function readOutbox(file: string): Outbox {
  if (!existsSync(file)) return { version: 1, nextSeq: 1, pending: [] };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Outbox>;
  if (parsed.version !== 1 || typeof parsed.nextSeq !== 'number' || !Array.isArray(parsed.pending)) throw new Error(`${file}: not an outbox (version 1); move it away to start over`);
  return parsed as Outbox;
}

function writeOutbox(file: string, outbox: Outbox): void {
  writePrivateFile(file, `${JSON.stringify(outbox)}\n`);
}

/** Queues one event with the learner's next seq; returns it. */
export function enqueue(file: string, event: UnsequencedEvent): ProgressEvent {
  const outbox = readOutbox(file);
  const queued = { ...event, seq: outbox.nextSeq } as ProgressEvent;
  writeOutbox(file, { version: 1, nextSeq: outbox.nextSeq + 1, pending: [...outbox.pending, queued] });
  return queued;
}

/** Queues the event when its learner has a dashboard (their dashboard.json); false when they have none. */
export function queueReport(exercisesDir: string, event: UnsequencedEvent): boolean {
  if (!readDashboardConfig(exercisesDir, event.learner)) return false;
  enqueue(outboxFile(exercisesDir, event.learner), event);
  return true;
}

/**
 * Sends the learner's queue after a command; undefined when they have no dashboard. Never throws:
 * the command has done its work, and a broken dashboard or outbox file is a problem to tell.
 */
export async function sendReports(exercisesDir: string, learner: string): Promise<SendResult | undefined> {
  try {
    const config = readDashboardConfig(exercisesDir, learner);
    if (!config) return undefined;
    return await sendOutbox(outboxFile(exercisesDir, learner), config);
  } catch (error) {
    return { sent: 0, left: 0, problem: (error as Error).message };
  }
}

export interface SendResult {
  sent: number;
  /** Events still queued (the dashboard did not answer, or refused). */
  left: number;
  /** Why sending stopped early, for the learner's terminal (never the token). */
  problem?: string;
}

/**
 * Sends the queue in batches, each answered with the highest seq the dashboard holds; what it
 * holds leaves the queue. Bounded: one request per batch, each with SEND_TIMEOUT_MS.
 */
export async function sendOutbox(file: string, config: Pick<LearnerDashboardFile, 'url' | 'token'>, timeoutMs = SEND_TIMEOUT_MS): Promise<SendResult> {
  let outbox = readOutbox(file);
  let sent = 0;
  const batches = Math.ceil(outbox.pending.length / BATCH_EVENTS);
  for (let i = 0; i < batches && outbox.pending.length > 0; i++) {
    const batch = outbox.pending.slice(0, BATCH_EVENTS);
    let response: Response;
    try {
      response = await fetchWithin(timeoutMs, `${config.url.replace(/\/+$/, '')}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${config.token}` },
        body: JSON.stringify({ events: batch }),
      });
    } catch (error) {
      return { sent, left: outbox.pending.length, problem: `the dashboard at ${config.url} did not answer (${(error as Error).message}); your progress is saved and will be sent with your next command` };
    }
    if (!response.ok) {
      const text = (await response.text()).slice(0, 300);
      return { sent, left: outbox.pending.length, problem: `the dashboard refused the report (${response.status}): ${text}` };
    }
    const answer = (await response.json()) as { acked?: number };
    const acked = typeof answer.acked === 'number' ? answer.acked : 0;
    // Re-read: another command of the same learner may have queued meanwhile.
    outbox = readOutbox(file);
    const before = outbox.pending.length;
    outbox = { ...outbox, pending: outbox.pending.filter((e) => e.seq > acked) };
    writeOutbox(file, outbox);
    sent += before - outbox.pending.length;
    if (before === outbox.pending.length) {
      return { sent, left: before, problem: `the dashboard holds your events up to ${acked} but wants them in order; the queue starts at ${outbox.pending[0]?.seq}` };
    }
  }
  return { sent, left: outbox.pending.length };
}
