/**
 * The dashboard's record and reporting, with every party a process of its own as in a class: the
 * dashboard (`resops dashboard serve`), and learners running `resops exercise` on the fixture
 * exercises. The page in a real browser is tested in test/dashboard-browser.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { EventStore } from '../src/dashboard/event-store.js';
import { parseEvent, type ProgressEvent, type RunDigest, type ScaleDigest, type StepEvent, type StepKind } from '../src/dashboard/events.js';
import { localPipeline, pipelineView } from '../src/dashboard/pipeline-view.js';
import { dashboardApp } from '../src/dashboard/server.js';
import { fitAmdahl, speedupSamples } from '../src/pipeline/amdahl.js';
import { classView, DEFAULT_STUCK, stuckReason, type ClassView } from '../src/dashboard/class-view.js';
import type { Exercise } from '../src/exercises/catalog.js';
import type { LearnerProgress } from '../src/exercises/progress.js';
import { outboxFile, readOutbox } from '../src/dashboard/reporter.js';
import { exercisesStateDir } from '../src/exercises/progress.js';
import { fetchWithin } from '../src/net/deadline.js';
import { courseYaml } from './helpers/course-yaml.js';
import { freePort } from './helpers/free-port.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'resops.mjs');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'exercises');
const temp = mkdtempSync(join(tmpdir(), 'resops-dashboard-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A course file of its own in the test's folder; its state directory beside it. */
function writeCourse(id: string): string {
  const dir = join(temp, id);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'course.yaml');
  writeFileSync(file, courseYaml({ id, learners: 2, target: 'local' }));
  return file;
}

const event = (learner: string, seq: number, kind: StepKind = 'check'): StepEvent => ({ learner, seq, at: new Date(Date.UTC(2026, 11, 4, 10, 0, seq)).toISOString(), kind, exercise: '00-notes', step: 'write-note', ...(kind === 'check' ? { passed: false, message: `try ${seq}` } : {}) });

describe('the event store', () => {
  it('takes each learner\'s events once and in order, and reads them back after a restart', () => {
    const file = join(temp, 'store', 'events.jsonl');
    const store = EventStore.open(file);
    expect(store.accept('ann', [event('ann', 1), event('ann', 2)])).toMatchObject({ acked: 2, duplicates: 0 });
    // Sent again after a lost answer, plus one new: the repeats are acknowledged, not kept twice.
    expect(store.accept('ann', [event('ann', 2), event('ann', 1), event('ann', 3)])).toMatchObject({ acked: 3, duplicates: 2 });
    // A gap: 5 before 4 is refused, and the store says it wants 4.
    const gap = store.accept('ann', [event('ann', 5)]);
    expect(gap).toMatchObject({ acked: 3, gapAt: 4, accepted: [] });
    expect(store.accept('ben', [event('ben', 1)]).acked).toBe(1);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    // A crash mid-append leaves a torn line: skipped on open, the rest kept.
    appendFileSync(file, '{"learner":"ann","seq":4,"at":"2026-');
    const again = EventStore.open(file);
    expect(again.all().map((e) => `${e.learner}${e.seq}`)).toEqual(['ann1', 'ann2', 'ann3', 'ben1']);
    expect(again.lastSeq('ann')).toBe(3);
  });
});

describe('the class view', () => {
  it('a learner who works on this machine without a dashboard file shows from their progress file; the further status of a step wins', () => {
    const course = { id: 'cv', title: 'CV', learners: [{ id: 'ann', name: 'Ann' }, { id: 'ben', name: 'Ben' }] } as Course;
    const exercises = [{ id: '00-notes', title: 'Notes', steps: [{ id: 'write-note', title: 'Write' }, { id: 'second', title: 'Second' }] }] as unknown as Exercise[];
    const progress = (learner: string, steps: LearnerProgress['exercises'][string]['steps'], updatedAt: string): LearnerProgress => ({ version: 1, course: 'cv', learner, current: { exercise: '00-notes', step: 'second' }, exercises: { '00-notes': { steps } }, updatedAt });
    const local = new Map([
      ['ben', progress('ben', { 'write-note': { status: 'passed', startedAt: '2026-12-04T10:00:00Z', hintsShown: 2, checks: 4 } }, '2026-12-04T10:05:00Z')],
      // Ann's file is older than her events, and says less.
      ['ann', progress('ann', { 'write-note': { status: 'started', startedAt: '2026-12-04T09:00:00Z', hintsShown: 0, checks: 1 } }, '2026-12-04T09:01:00Z')],
    ]);
    const events = [event('ann', 1, 'start'), { ...event('ann', 2), passed: true }];
    const view = classView(course, exercises, events, local, { now: new Date('2026-12-04T10:06:00Z') });
    expect(view.learners.map((l) => [l.id, l.cells['00-notes/write-note']?.status])).toEqual([['ann', 'passed'], ['ben', 'passed']]);
    expect(view.learners[1]!.cells['00-notes/write-note']).toMatchObject({ hints: 2, checks: 4 });
    expect(view.learners[0]!.current).toEqual({ exercise: '00-notes', step: 'write-note' });
    // Ben is on a step he has not touched for over 20 minutes? No: his file was written a minute ago.
    expect(view.learners[1]!.stuck).toBeUndefined();
    const later = classView(course, exercises, events, local, { now: new Date('2026-12-04T10:30:00Z') });
    expect(later.learners[1]!.stuck).toBeUndefined(); // his current step has no cell yet: nothing to be stuck on
    expect(JSON.stringify(view)).not.toContain('@');
    // Idle on a step not done: flagged after the idle limit, not before.
    const idle = { current: { exercise: '00-notes', step: 'second' }, cells: { '00-notes/second': { status: 'started' as const, hints: 0, checks: 0, failedInARow: 0 } }, lastActivity: '2026-12-04T10:00:00Z' };
    expect(stuckReason(idle, DEFAULT_STUCK, new Date('2026-12-04T10:19:00Z'))).toBeUndefined();
    expect(stuckReason(idle, DEFAULT_STUCK, new Date('2026-12-04T10:25:00Z'))).toBe('no progress on 00-notes/second for 25 min');
  });
});

describe('reporting from learners\' processes to `resops dashboard serve`', () => {
  let course: Course;
  let file = '';
  let port = 0;
  let url = '';
  let dashboard: ChildProcess | undefined;
  const env = { ...process.env, RESOPS_EXERCISES_DIR: FIXTURES };

  function resops(...args: string[]) {
    const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }
  const exercise = (learner: string, ...args: string[]) => resops('exercise', ...args, '--course', file, '--learner', learner);

  /** Starts the dashboard; resolves once it printed its URL. */
  async function startDashboard(...extra: string[]): Promise<{ process: ChildProcess; line: string }> {
    const child = spawn(process.execPath, [BIN, 'dashboard', 'serve', file, '--port', String(port), '--json', ...extra], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`dashboard did not start within 20 s: ${err}`)), 20_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]!);
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`dashboard exited with ${code}: ${err}`)));
    });
    return { process: child, line };
  }

  async function stopDashboard(): Promise<void> {
    if (!dashboard || dashboard.exitCode !== null) return;
    const exited = new Promise((resolve) => dashboard!.once('exit', resolve));
    dashboard.kill('SIGTERM');
    await exited;
  }

  const view = async (headers: Record<string, string> = {}) => (await (await fetchWithin(5000, `${url}/api/class`, { headers })).json()) as ClassView;
  const tokenOf = (learner: string) => (JSON.parse(readFileSync(join(course.dir, '.resops', course.id, 'handouts', `${learner}.dashboard.json`), 'utf8')) as { token: string }).token;
  const storeLines = () => readFileSync(join(course.dir, '.resops', course.id, 'dashboard', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ProgressEvent);

  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    file = join(temp, 'course.yaml');
    writeFileSync(file, courseYaml({ id: 'dash', learners: 2, target: 'local' }));
    course = loadCourse(file);
  });
  afterEach(async () => stopDashboard());

  it('tokens: one file per learner, 0600, the tokens never printed', () => {
    const run = resops('dashboard', 'tokens', file, '--url', url);
    expect(run.code, run.stderr).toBe(0);
    for (const learner of ['learner1', 'learner2']) {
      const handout = join(course.dir, '.resops', 'dash', 'handouts', `${learner}.dashboard.json`);
      expect((statSync(handout).mode & 0o777).toString(8)).toBe('600');
      expect(run.stdout).not.toContain(tokenOf(learner));
      expect(existsSync(join(exercisesStateDir(course), learner, 'dashboard.json'))).toBe(true);
    }
    expect(tokenOf('learner1')).not.toBe(tokenOf('learner2'));
    // A second run keeps them: learners already have their files.
    const before = tokenOf('learner1');
    expect(resops('dashboard', 'tokens', file, '--url', url).stdout).toMatch(/learner1\s+kept/);
    expect(tokenOf('learner1')).toBe(before);
  });

  it('events made while the dashboard is down are queued, then arrive once and in order, and survive its restart', async () => {
    // Dashboard down: the learner's commands work and say the report waits.
    const start = exercise('learner1', 'start', '0');
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toContain('did not answer');
    for (let i = 0; i < 3; i++) expect(exercise('learner1', 'check').code).toBe(1);
    const queued = readOutbox(outboxFile(exercisesStateDir(course), 'learner1')).pending;
    expect(queued.map((e) => [e.seq, e.kind])).toEqual([[1, 'start'], [2, 'check'], [3, 'check'], [4, 'check']]);

    dashboard = (await startDashboard()).process;
    // The next command sends the queue with its own event.
    const hint = exercise('learner1', 'hint');
    expect(hint.code).toBe(0);
    expect(hint.stderr).not.toContain('note:');
    expect(readOutbox(outboxFile(exercisesStateDir(course), 'learner1')).pending).toEqual([]);
    expect(storeLines().map((e) => [e.learner, e.seq, e.kind])).toEqual([
      ['learner1', 1, 'start'], ['learner1', 2, 'check'], ['learner1', 3, 'check'], ['learner1', 4, 'check'], ['learner1', 5, 'hint'],
    ]);
    const live = await view();
    const row = live.learners.find((l) => l.id === 'learner1')!;
    expect(row.current).toEqual({ exercise: '00-notes', step: 'write-note' });
    expect(row.cells['00-notes/write-note']).toMatchObject({ status: 'started', checks: 3, hints: 1, failedInARow: 3 });
    expect(row.stuck).toBe('the check of 00-notes/write-note failed 3 times in a row');
    expect(live.learners.find((l) => l.id === 'learner2')!.stuck).toBeUndefined();

    // An answer lost on the way: the learner's queue still holds events the dashboard has.
    const box = outboxFile(exercisesStateDir(course), 'learner1');
    writeFileSync(box, JSON.stringify({ version: 1, nextSeq: 6, pending: storeLines().slice(2) }));
    await stopDashboard();
    dashboard = (await startDashboard()).process;
    expect(exercise('learner1', 'progress').code).toBe(0);
    expect(readOutbox(box).pending).toEqual([]);
    expect(storeLines().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    // The restarted dashboard shows the same class.
    const after = (await view()).learners.find((l) => l.id === 'learner1')!;
    expect(after).toEqual(row);

    // Passing the step clears the flag.
    writeFileSync(join(exercisesStateDir(course), 'learner1', 'workspace', 'notes', 'hello.txt'), 'I am learner1');
    expect(exercise('learner1', 'check').code).toBe(0);
    const passed = (await view()).learners.find((l) => l.id === 'learner1')!;
    expect(passed.cells['00-notes/write-note']!.status).toBe('passed');
    expect(passed.current).toEqual({ exercise: '00-notes', step: 'second' });
    expect(passed.stuck).toBeUndefined();
  }, 120_000);

  it('a learner\'s token reports for that learner only; a wrong or missing token is refused', async () => {
    dashboard = (await startDashboard()).process;
    const post = (token: string | undefined, events: ProgressEvent[]) =>
      fetchWithin(5000, `${url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ events }) });
    const before = storeLines().length;
    const forged = await post(tokenOf('learner1'), [event('learner2', 1)]);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('reports for learner1 only');
    expect((await post('not-a-token', [event('learner1', 99)])).status).toBe(401);
    expect((await post(undefined, [event('learner1', 99)])).status).toBe(401);
    expect((await post(tokenOf('learner1'), [{ ...event('learner1', 1), kind: 'delete' as StepKind }])).status).toBe(400);
    expect(storeLines()).toHaveLength(before);
    // Learner 2's own token works for learner 2.
    const own = await post(tokenOf('learner2'), [event('learner2', 1, 'start')]);
    expect(await own.json()).toMatchObject({ acked: 1, accepted: 1 });
  });

  it('bound beyond loopback, every viewer request needs the viewer token; the stream sends the class again on each event', async () => {
    const tokenFile = join(temp, 'viewer-token');
    writeFileSync(tokenFile, 'a-viewer-token-of-enough-length\n', { mode: 0o600 });
    const started = await startDashboard('--host', '0.0.0.0', '--token-file', tokenFile);
    dashboard = started.process;
    expect(JSON.parse(started.line)).toMatchObject({ viewerTokenRequired: true });
    for (const path of ['/', '/api/class', '/api/stream']) {
      expect((await fetchWithin(5000, `${url}${path}`)).status, path).toBe(401);
      expect((await fetchWithin(5000, `${url}${path}`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, path).toBe(401);
    }
    const withQuery = await fetchWithin(5000, `${url}/?token=a-viewer-token-of-enough-length`);
    expect(withQuery.status).toBe(200);
    const cookie = withQuery.headers.get('set-cookie')!.split(';')[0]!;
    expect(withQuery.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect((await view({ cookie })).course).toBe('dash');
    // No secret in what a viewer gets: no token, no key, no email.
    const page = await (await fetchWithin(5000, `${url}/`, { headers: { cookie } })).text();
    expect(page).not.toContain(tokenOf('learner1'));
    expect(page).not.toContain('ssh-ed25519');

    const controller = new AbortController();
    const stream = await fetch(`${url}/api/stream`, { headers: { cookie }, signal: controller.signal });
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextClass = async (): Promise<ClassView> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const chunk = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = chunk.split('\n').find((l) => l.startsWith('data: '));
          if (chunk.includes('event: class') && data) return JSON.parse(data.slice(6)) as ClassView;
          continue;
        }
        if (Date.now() > deadline) throw new Error('no class event within 10 s');
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextClass();
    const hintsBefore = first.learners.find((l) => l.id === 'learner1')!.cells['00-notes/second']?.hints ?? 0;
    expect(exercise('learner1', 'hint').code).toBe(0);
    // Health rounds send the class too: read on until the hint shows (nextClass is bounded).
    const hintsNow = async (): Promise<number> => (await nextClass()).learners.find((l) => l.id === 'learner1')!.cells['00-notes/second']?.hints ?? 0;
    let seen = await hintsNow();
    for (let i = 0; i < 5 && seen === hintsBefore; i++) seen = await hintsNow();
    expect(seen).toBe(hintsBefore + 1);
    controller.abort();
  }, 60_000);
});

describe('pipeline runs and scaling experiments on the dashboard', () => {
  const stages = (align: number) => ['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate'].map((stage, i) => ({ stage, seconds: stage === 'align' ? align : i + 0.5 }));
  const digest = (run: string, align = 10): RunDigest => ({ run, storage: 'volume', workers: 2, reads: 5000, wallSeconds: align + 20, stages: stages(align), lostWorkers: 0, f1: 0.97 });
  const runEvent = (learner: string, seq: number, run: RunDigest, minute: number): ProgressEvent => ({ learner, seq, at: new Date(Date.UTC(2026, 11, 4, 11, minute)).toISOString(), kind: 'pipeline', run });
  const scale: ScaleDigest = { storage: 'volume', reads: 5000, repeat: 2, points: [{ workers: 1, seconds: [100, 104] }, { workers: 2, seconds: [60, 61] }, { workers: 4, seconds: [41, 44] }] };

  it('a run or experiment event is checked like any other: well-formed and small, whatever the sender claims', () => {
    const good = { learner: 'ann', seq: 1, at: '2026-12-04T11:00:00Z', kind: 'pipeline', run: digest('run-20261204-110000-abcdef') };
    expect(parseEvent(good)).toEqual({ ...good, at: '2026-12-04T11:00:00.000Z' });
    expect(parseEvent({ ...good, kind: 'scale', run: undefined, scale })).toMatchObject({ kind: 'scale', scale });
    expect(parseEvent({ ...good, run: { ...good.run, stages: Array.from({ length: 17 }, () => ({ stage: 'align', seconds: 1 })) } })).toBe('run.stages: expected at most 16 stages');
    expect(parseEvent({ ...good, run: { ...good.run, f1: 2 } })).toBe('run.f1: expected a number from 0 to 1');
    expect(parseEvent({ ...good, run: { ...good.run, run: '<script>' } })).toBe('run.run: expected a run id');
    expect(parseEvent({ ...good, run: undefined })).toBe('run: expected an object');
    expect(parseEvent({ ...good, kind: 'scale', scale: { ...scale, points: [{ workers: 1, seconds: [] }] } })).toBe('scale.points[0]: expected { workers, seconds: [1 to 20 wall times] }');
  });

  it('runs reported and runs found on this machine: each run once, the 5 latest per learner, the latest experiment per learner', () => {
    const course = loadCourse(writeCourse('pv'));
    const runsDir = join(course.dir, course.stateDir, 'pipeline');
    // Two runs made here: one by ann (also reported: shown once), one by nobody (the instructor's).
    for (const [run, learner] of [['run-20261204-100000-aaaaaa', 'ann'], ['run-20261204-100100-bbbbbb', undefined]] as const) {
      mkdirSync(join(runsDir, run), { recursive: true });
      writeFileSync(join(runsDir, run, 'report.json'), JSON.stringify({ ...digest(run), ...(learner ? { learner } : {}), lostWorkers: [], evaluation: { f1: 0.9 }, stages: stages(7) }));
    }
    mkdirSync(join(runsDir, 'not-a-run'), { recursive: true });
    writeFileSync(join(runsDir, 'not-a-run', 'report.json'), '{}');
    const local = localPipeline(course);
    expect(local.runs.map((r) => [r.run, r.learner])).toEqual(expect.arrayContaining([['run-20261204-100000-aaaaaa', 'ann'], ['run-20261204-100100-bbbbbb', undefined]]));
    const annRuns = Array.from({ length: 7 }, (_, i) => runEvent('ann', i + 1, digest(`run-20261204-11${String(i).padStart(2, '0')}00-cccccc`), i));
    const events = [runEvent('ann', 0, digest('run-20261204-100000-aaaaaa', 3), 0), ...annRuns, { learner: 'ben', seq: 1, at: '2026-12-04T11:30:00.000Z', kind: 'scale' as const, scale }, { learner: 'ben', seq: 2, at: '2026-12-04T11:40:00.000Z', kind: 'scale' as const, scale: { ...scale, reads: 9000 } }];
    const view = pipelineView(events, local);
    const ann = view.runs.filter((r) => r.learner === 'ann');
    expect(ann.map((r) => r.run)).toEqual(annRuns.slice(2).reverse().map((e) => (e as { run: RunDigest }).run.run));
    expect(view.runs.filter((r) => r.learner === undefined).map((r) => r.run)).toEqual(['run-20261204-100100-bbbbbb']);
    expect(new Set(view.runs.map((r) => r.run)).size).toBe(view.runs.length);
    expect(view.scaling.map((s) => [s.learner, s.reads])).toEqual([['ben', 9000]]);
  });

  it('the page draws the runs stage by stage and each experiment with its fitted serial fraction', async () => {
    const course = loadCourse(writeCourse('pc'));
    const store = EventStore.open(join(temp, 'pc-store', 'events.jsonl'));
    const { app, close } = dashboardApp({ course, exercises: [], store, exercisesDir: join(temp, 'pc-none'), tokenHashes: () => ({}) });
    try {
      expect(await (await app.request('/')).text()).toContain('no pipeline run yet');
      store.accept('learner1', [runEvent('learner1', 1, digest('run-20261204-110000-dddddd', 25), 0), { learner: 'learner1', seq: 2, at: '2026-12-04T11:05:00.000Z', kind: 'scale', scale }]);
      const page = await (await app.request('/')).text();
      expect(page).toContain('<tr data-run="run-20261204-110000-dddddd" data-learner="learner1">');
      const chart = page.slice(page.indexOf('id="stages-chart"'), page.indexOf('</figure>', page.indexOf('id="stages-chart"')));
      for (const stage of ['ready', 'align', 'evaluate']) expect(chart).toContain(`>${stage}</text>`);
      expect(chart).toContain('>learner1 · 20261204-110000-dddddd</text>');
      const figure = page.slice(page.indexOf('<figure data-learner="learner1">'));
      const fit = fitAmdahl(speedupSamples(scale.points));
      expect(figure).toContain(`serial fraction ${fit.serialFraction.toFixed(3)}`);
      expect(figure).toContain(`more than ${fit.maxSpeedup.toFixed(1)}× speedup is out of reach`);
    } finally {
      close();
    }
  });
});
