/**
 * The dashboard's page in a real browser: Debian's chromium driven by playwright-core, while
 * learners' `resops exercise` processes report to a `resops dashboard serve` process. The page is
 * loaded once; every change must reach it without a reload. Machines on a running lab, and the
 * screenshot in docs/, come from test/local-docker.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import { queueReport, sendReports } from '../src/dashboard/reporter.js';
import { exercisesStateDir } from '../src/exercises/progress.js';
import { fitAmdahl, speedupSamples } from '../src/pipeline/amdahl.js';
import { courseYaml } from './helpers/course-yaml.js';
import { freePort } from './helpers/free-port.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'resops.mjs');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'exercises');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM && process.env.CI) throw new Error('CI: no chromium; scripts/setup-host.sh installs it');

describe.skipIf(!CHROMIUM)('the dashboard in a real browser (chromium)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'resops-dashboard-browser-'));
  const env = { ...process.env, RESOPS_EXERCISES_DIR: FIXTURES };
  let file = '';
  let url = '';
  let dashboard: ChildProcess;
  let browser: Browser;
  let page: Page;

  const exercise = (learner: string, ...args: string[]) => {
    const result = spawnSync(process.execPath, [BIN, 'exercise', ...args, '--course', file, '--learner', learner], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    return { code: result.status, stderr: result.stderr };
  };
  const cell = (learner: string, step: string) => page.locator(`tr[data-learner="${learner}"] td[data-step="${step}"]`);

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    file = join(temp, 'course.yaml');
    writeFileSync(file, courseYaml({ id: 'dash-ui', learners: 3, target: 'local' }));
    expect(spawnSync(process.execPath, [BIN, 'dashboard', 'tokens', file, '--url', url], { cwd: ROOT, env, encoding: 'utf8' }).status).toBe(0);
    dashboard = spawn(process.execPath, [BIN, 'dashboard', 'serve', file, '--port', String(port), '--stuck-checks', '3'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('dashboard did not start within 20 s')), 20_000);
      dashboard.stdout!.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1000, height: 420 } });
    await page.goto(url);
    // Gone if the page ever reloads.
    await page.evaluate(() => Object.assign(globalThis, { loadedOnce: true }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    dashboard?.kill('SIGTERM');
    rmSync(temp, { recursive: true, force: true });
  });

  it('shows every learner with every step not started', async () => {
    expect(await page.locator('tr[data-learner]').count()).toBe(3);
    expect(await cell('learner1', '00-notes/write-note').getAttribute('data-status')).toBe('todo');
  });

  it('a learner who starts, then fails the same check three times, is flagged stuck without a reload', async () => {
    expect(exercise('learner1', 'start', '0').code).toBe(0);
    await page.waitForSelector('tr[data-learner="learner1"] td[data-step="00-notes/write-note"][data-status="started"]', { timeout: 10_000 });
    for (let i = 0; i < 3; i++) expect(exercise('learner1', 'check').code).toBe(1);
    await page.waitForSelector('tr[data-learner="learner1"].stuck', { timeout: 10_000 });
    expect(await page.locator('tr[data-learner="learner1"] th').getAttribute('title')).toBe('the check of 00-notes/write-note failed 3 times in a row');
    expect(await page.locator('tr[data-learner="learner2"]').getAttribute('class')).toBe('');
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  });

  it('solving the step turns it done-by-solve and clears the flag, without a reload', async () => {
    expect(exercise('learner1', 'hint').code).toBe(0);
    expect(exercise('learner1', 'solve').code).toBe(0);
    expect(exercise('learner2', 'start', '0').code).toBe(0);
    await page.waitForSelector('tr[data-learner="learner1"] td[data-step="00-notes/write-note"][data-status="solved"]', { timeout: 10_000 });
    await page.waitForSelector('tr[data-learner="learner1"]:not(.stuck)', { timeout: 10_000 });
    expect(await cell('learner1', '00-notes/second').getAttribute('class')).toContain('current');
    expect(await cell('learner1', '00-notes/write-note').textContent()).toContain('1');
    await page.waitForSelector('tr[data-learner="learner2"] td[data-step="00-notes/write-note"][data-status="started"]', { timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  });

  it("a learner's pipeline run, reported from their machine, appears as a bar of stages without a reload", async () => {
    expect(await page.locator('#stages-chart').count()).toBe(0);
    const exercisesDir = exercisesStateDir(loadCourse(file));
    const run = { run: 'run-20261204-120000-abcdef', storage: 'object', workers: 2, reads: 5000, wallSeconds: 42, stages: ['ready', 'simulate', 'align', 'merge', 'call', 'gather', 'evaluate'].map((stage, i) => ({ stage, seconds: i + 1 })), lostWorkers: 1, f1: 0.96 };
    expect(queueReport(exercisesDir, { learner: 'learner3', at: new Date().toISOString(), kind: 'pipeline', run })).toBe(true);
    expect(await sendReports(exercisesDir, 'learner3')).toEqual({ sent: 1, left: 0 });
    await page.waitForSelector('#runs tr[data-learner="learner3"][data-run="run-20261204-120000-abcdef"]', { timeout: 10_000 });
    expect(await page.locator('#runs tr[data-learner="learner3"] td').allTextContents()).toEqual(['learner3 · 20261204-120000-abcdef', 'object', '2', '5000', '42.0', '0.960', '1']);
    const bar = page.locator('#stages-chart svg');
    expect(await bar.count()).toBe(1);
    expect(await bar.locator('text', { hasText: 'learner3 · 20261204-120000-abcdef' }).count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  });

  it("a learner's scaling experiment appears as the scaling plot with its serial fraction, without a reload", async () => {
    const exercisesDir = exercisesStateDir(loadCourse(file));
    const scale = { storage: 'volume', reads: 5000, repeat: 2, points: [{ workers: 1, seconds: [100, 103] }, { workers: 2, seconds: [61, 60] }, { workers: 4, seconds: [42, 44] }] };
    expect(queueReport(exercisesDir, { learner: 'learner3', at: new Date().toISOString(), kind: 'scale', scale })).toBe(true);
    expect(await sendReports(exercisesDir, 'learner3')).toEqual({ sent: 1, left: 0 });
    const figure = page.locator('#scaling figure[data-learner="learner3"]');
    await figure.waitFor({ timeout: 10_000 });
    const fit = fitAmdahl(speedupSamples(scale.points));
    expect(await figure.locator('figcaption').textContent()).toContain(`serial fraction ${fit.serialFraction.toFixed(3)}`);
    expect(await figure.locator('svg').count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    // The picture of the pipeline view in the instructor guide, made by this browser.
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.locator('#pipeline').screenshot({ path: join(ROOT, 'docs', 'dashboard-pipeline.png') });
  });
});
