import { existsSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { Course } from '../course/model.js';
import type { Exercise } from '../exercises/catalog.js';
import { readProgress, type LearnerProgress } from '../exercises/progress.js';
import { classView, DEFAULT_STUCK, type ClassView, type StuckRules } from './class-view.js';
import { BATCH_EVENTS, parseEvent, type ProgressEvent } from './events.js';
import type { EventStore } from './event-store.js';
import { learnerOfToken, sameSecret } from './tokens.js';
import type { HealthView, HealthSource } from './health.js';
import { renderPage } from './page.js';
import { localPipeline, type PipelineView } from './pipeline-view.js';
import { pipelineCharts, type PipelineCharts } from './pipeline-charts.js';

/**
 * `resops dashboard serve`: the class grid as a page, a JSON API and a server-sent-events stream,
 * and the endpoint learners report to. Every viewer route only reads. Bound to 127.0.0.1 unless
 * told otherwise, and then every viewer request needs the viewer token; reports always need the
 * learner's own token, which reports for that learner only.
 */

export interface DashboardOptions {
  course: Course;
  exercises: readonly Exercise[];
  store: EventStore;
  /** `<state>/exercises`: progress files of learners who work on this machine. */
  exercisesDir: string;
  /** Learner id → SHA-256 of their report token. */
  tokenHashes: () => Readonly<Record<string, string>>;
  /** Required from every viewer when set (the server is bound beyond loopback). */
  viewerToken?: string;
  stuck?: StuckRules;
  now?: () => Date;
  /** Asked every `healthEveryMs` (default 10 s) for machines, alerts and cost; absent: no health view. */
  health?: HealthSource;
  healthEveryMs?: number;
}

const COOKIE = 'resops_dashboard';
/** How long one built view serves every request (see snapshot in dashboardApp). */
const VIEW_FRESH_MS = 1000;

function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

export function localProgress(course: Course, exercisesDir: string): Map<string, LearnerProgress> {
  const found = new Map<string, LearnerProgress>();
  if (!existsSync(exercisesDir)) return found;
  const here = new Set(readdirSync(exercisesDir));
  for (const learner of course.learners) {
    if (!here.has(learner.id) || !existsSync(`${exercisesDir}/${learner.id}/progress.json`)) continue;
    try {
      found.set(learner.id, readProgress(course, learner.id));
    } catch {
      // A broken file is the learner's CLI's to report; the grid shows what the events say.
    }
  }
  return found;
}

export function dashboardApp(options: DashboardOptions): { app: Hono; view: () => ClassView; close: () => void; refreshHealth: () => Promise<void> } {
  const now = options.now ?? (() => new Date());
  let health: HealthView | undefined;
  // One view per change, shared by every open page: an event wakes every stream at once, and
  // building the view reads every local progress file. It is built again after a change, or
  // after VIEW_FRESH_MS at most (progress files of learners here change without telling us).
  let cached: { view: ClassView; json: string; builtAt: number } | undefined;
  const snapshot = () => {
    // The machine's clock, not options.now: a test's fixed clock must not freeze the cache.
    const at = Date.now();
    if (!cached || at - cached.builtAt >= VIEW_FRESH_MS || at < cached.builtAt) {
      const built: ClassView = {
        ...classView(options.course, options.exercises, options.store.all(), localProgress(options.course, options.exercisesDir), { now: now(), stuck: options.stuck ?? DEFAULT_STUCK, localPipeline: localPipeline(options.course) }),
        ...(health ? { health } : {}),
      };
      cached = { view: built, json: JSON.stringify(built), builtAt: at };
    }
    return cached;
  };
  const view = (): ClassView => snapshot().view;
  // Charts are drawn again only when the runs or experiments they show change.
  let charts: { key: string; drawn: Promise<PipelineCharts> } | undefined;
  const chartsOf = (pipeline: PipelineView): Promise<PipelineCharts> => {
    const key = JSON.stringify(pipeline);
    if (charts?.key !== key) charts = { key, drawn: pipelineCharts(pipeline).catch((error: Error) => ({ scaling: [], error: `charts could not be drawn: ${error.message}` })) };
    return charts.drawn;
  };
  const app = new Hono();
  const subscribers = new Set<() => void>();
  const notifyAll = () => {
    cached = undefined;
    for (const notify of subscribers) notify();
  };
  const unsubscribe = options.store.onAccepted(notifyAll);

  // One health round at a time; a change of any machine's state or of the alerts reaches every page.
  const essence = (h: HealthView | undefined) => JSON.stringify(h && { m: h.machines, a: h.alerts, e: h.error, w: h.time.expiryWarning, c: h.time.cost?.overWarning });
  let running: Promise<void> | undefined;
  const refreshHealth = (): Promise<void> => {
    if (!options.health) return Promise.resolve();
    running ??= options.health().then((next) => {
      const changed = essence(next) !== essence(health);
      health = next;
      running = undefined;
      if (changed) notifyAll();
    });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  if (options.health) {
    void refreshHealth();
    timer = setInterval(() => void refreshHealth(), options.healthEveryMs ?? 10_000);
  }

  // Viewer routes: the token (header, cookie, or once as ?token= which sets the cookie) when required.
  const viewer = async (c: Context, next: () => Promise<void>) => {
    const required = options.viewerToken;
    if (required !== undefined) {
      const fromQuery = c.req.query('token');
      const given = bearer(c) ?? getCookie(c, COOKIE) ?? fromQuery;
      if (given === undefined || !sameSecret(given, required)) return c.json({ error: 'this dashboard needs its viewer token (printed by `resops dashboard serve`, or the file given with --token-file)' }, 401);
      if (fromQuery !== undefined) setCookie(c, COOKIE, given, { httpOnly: true, sameSite: 'Strict', path: '/' });
    }
    c.header('cache-control', 'no-store');
    await next();
    return undefined;
  };

  app.get('/', viewer, async (c) => {
    const current = view();
    return c.html(renderPage(current, await chartsOf(current.pipeline)));
  });
  app.get('/api/class', viewer, (c) => c.json(view()));
  app.get('/api/stream', viewer, (c) =>
    streamSSE(c, async (stream) => {
      let pending = true;
      let wake: (() => void) | undefined;
      const notify = () => {
        pending = true;
        wake?.();
      };
      subscribers.add(notify);
      stream.onAbort(() => {
        subscribers.delete(notify);
        wake?.();
      });
      let id = 0;
      while (!stream.aborted) {
        if (pending) {
          pending = false;
          await stream.writeSSE({ event: 'class', data: snapshot().json, id: String(++id) });
        }
        // Woken by an event, or every 15 s to re-judge "stuck" by idle time and keep proxies open.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            pending = true;
            resolve();
          }, 15_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }),
  );

  app.post('/api/events', async (c) => {
    const token = bearer(c);
    const learner = token === undefined ? undefined : learnerOfToken(options.tokenHashes(), token);
    if (learner === undefined) return c.json({ error: 'no valid report token (Authorization: Bearer <the token of your <id>.dashboard.json>)' }, 401);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'the body must be JSON: { "events": [ … ] }' }, 400);
    }
    const raw = (body as { events?: unknown }).events;
    if (!Array.isArray(raw)) return c.json({ error: 'the body must be { "events": [ … ] }' }, 400);
    if (raw.length > BATCH_EVENTS) return c.json({ error: `at most ${BATCH_EVENTS} events per request` }, 413);
    const events: ProgressEvent[] = [];
    for (const [i, item] of raw.entries()) {
      const event = parseEvent(item);
      if (typeof event === 'string') return c.json({ error: `events[${i}].${event}` }, 400);
      if (event.learner !== learner) return c.json({ error: `events[${i}]: this token reports for ${learner} only, not for ${event.learner}` }, 403);
      events.push(event);
    }
    const result = options.store.accept(learner, events);
    return c.json({ acked: result.acked, accepted: result.accepted.length, duplicates: result.duplicates, ...(result.gapAt !== undefined ? { gapAt: result.gapAt } : {}) });
  });

  return {
    app,
    view,
    refreshHealth,
    close: () => {
      unsubscribe();
      if (timer) clearInterval(timer);
    },
  };
}

/** Starts listening; resolves with the bound address once it accepts connections. */
export function listen(app: Hono, host: string, port: number): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({ server, url: `http://${shown}:${info.port}` });
    });
    server.once('error', reject);
  });
}

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\./.test(host);
}
