/**
 * The dashboard under a class: `resops dashboard serve` (its own process, as in a class) with 40
 * learners reporting 200 events a minute over HTTP with their own tokens, and the page open in
 * Debian's chromium. For every event: the time from its POST to the grid showing it in the
 * browser (median, p95, max), and the dashboard process's CPU and memory over the run.
 *
 *   npm run bench:dashboard
 *   npm run bench:dashboard -- --learners 40 --per-minute 200 --seconds 60 --json
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { courseYaml } from '../test/helpers/course-yaml.js';
import { freePort } from '../test/helpers/free-port.js';

const { values } = parseArgs({
  options: {
    learners: { type: 'string', default: '40' },
    'per-minute': { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    json: { type: 'boolean' },
  },
});
const LEARNERS = Number(values.learners);
const PER_MINUTE = Number(values['per-minute']);
const SECONDS = Number(values.seconds);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'resops.mjs');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'exercises');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('no chromium: `apt-get install chromium` (scripts/setup-host.sh does)');
const say = (line: string) => process.stderr.write(`${line}\n`);
const env = { ...process.env, RESOPS_EXERCISES_DIR: FIXTURES };

/** utime+stime of a process in clock ticks, and its resident memory in kB (Linux /proc). */
function sample(pid: number): { ticks: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { ticks: Number(fields[11]) + Number(fields[12]), rssKb: Number(rss ?? 0) };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const temp = mkdtempSync(join(tmpdir(), 'resops-bench-dashboard-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const file = join(temp, 'course.yaml');
writeFileSync(file, courseYaml({ id: 'bench-dash', learners: LEARNERS, target: 'local' }));
if (spawnSync(process.execPath, [BIN, 'dashboard', 'tokens', file, '--url', url], { cwd: ROOT, env }).status !== 0) throw new Error('dashboard tokens failed');
const learners = Array.from({ length: LEARNERS }, (_, i) => `learner${i + 1}`);
const tokens = new Map(learners.map((id) => [id, (JSON.parse(readFileSync(join(temp, '.resops', 'bench-dash', 'handouts', `${id}.dashboard.json`), 'utf8')) as { token: string }).token]));

const server = spawn(process.execPath, [BIN, 'dashboard', 'serve', file, '--port', String(port)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve, reject) => {
  server.stdout!.once('data', () => resolve());
  server.once('exit', (code) => reject(new Error(`dashboard exited with ${code}`)));
});
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(url);
  // The first moment the page's grid shows learner L with H hints, in epoch ms. A string: the
  // toolkit's TypeScript has no DOM types, and this runs in the browser.
  await page.evaluate(`(() => {
    const seen = {};
    const scan = () => {
      // The wall clock, as the poster's Date.now(): performance.timeOrigin is fixed at page load
      // and drifts from it (a negative latency was measured with it).
      const at = Date.now();
      for (const sup of document.querySelectorAll('tr[data-learner] td sup')) {
        const key = sup.closest('tr').getAttribute('data-learner') + '/' + sup.textContent;
        if (seen[key] === undefined) seen[key] = at;
      }
    };
    new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
    globalThis.seen = seen;
  })()`);

  const seq = new Map(learners.map((id) => [id, 0]));
  const posted = new Map<string, number>();
  const gapMs = 60_000 / PER_MINUTE;
  const cpuBefore = sample(server.pid!);
  const started = Date.now();
  let peakRssKb = cpuBefore.rssKb;
  say(`${LEARNERS} learners, ${PER_MINUTE} events/min for ${SECONDS} s …`);
  for (let i = 0; Date.now() - started < SECONDS * 1000; i++) {
    const learner = learners[i % LEARNERS]!;
    const n = seq.get(learner)! + 1;
    seq.set(learner, n);
    const event = { learner, seq: n, at: new Date().toISOString(), kind: 'hint', exercise: '00-notes', step: 'write-note', hintsShown: n };
    posted.set(`${learner}/${n}`, Date.now());
    const response = await fetch(`${url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(learner)}` }, body: JSON.stringify({ events: [event] }) });
    if (!response.ok) throw new Error(`report refused: ${response.status} ${await response.text()}`);
    peakRssKb = Math.max(peakRssKb, sample(server.pid!).rssKb);
    const next = started + (i + 1) * gapMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
  }
  const elapsed = (Date.now() - started) / 1000;
  const cpuAfter = sample(server.pid!);
  // Bounded wait for the last events to show.
  const deadline = Date.now() + 10_000;
  let seen: Record<string, number> = {};
  while (Date.now() < deadline) {
    seen = (await page.evaluate('globalThis.seen')) as Record<string, number>;
    if ([...posted.keys()].every((k) => seen[k] !== undefined)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const latencies = [...posted].flatMap(([key, at]) => (seen[key] !== undefined ? [seen[key]! - at] : [])).sort((a, b) => a - b);
  const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const result = {
    learners: LEARNERS,
    eventsPerMinute: Math.round((posted.size / elapsed) * 60),
    events: posted.size,
    shown: latencies.length,
    latencyMs: { median: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)), max: Math.round(latencies.at(-1) ?? NaN) },
    dashboardCpuPercentOfOneCore: Math.round(((cpuAfter.ticks - cpuBefore.ticks) / ticksPerSecond / elapsed) * 1000) / 10,
    dashboardRssMb: { start: Math.round(cpuBefore.rssKb / 1024), peak: Math.round(peakRssKb / 1024) },
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(`${result.events} events from ${LEARNERS} learners at ${result.eventsPerMinute}/min; ${result.shown} shown in the browser\n`);
    process.stdout.write(`event → grid in the browser: median ${result.latencyMs.median} ms, p95 ${result.latencyMs.p95} ms, max ${result.latencyMs.max} ms\n`);
    process.stdout.write(`dashboard process: ${result.dashboardCpuPercentOfOneCore} % of one core, RSS ${result.dashboardRssMb.start} MB at start, ${result.dashboardRssMb.peak} MB at most\n`);
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(temp, { recursive: true, force: true });
}
