/**
 * Latency of `resops exercise check` over the whole curriculum, on a fresh one-learner local lab:
 * every exercise in order, each step checked fresh (what a learner meets first) and then solved,
 * and after each exercise one `resops exercise check` through the CLI as a learner types it
 * (a new Node process: tsx start-up included). Prints every check's time, the median (target
 * ≤ 2 s, issue 6) and the slowest, and removes the lab at the end.
 *
 *   npm run bench:exercises
 *   npm run bench:exercises -- --json
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCourse } from '../src/course/load.js';
import { loadCatalog } from '../src/exercises/catalog.js';
import { ExerciseEngine } from '../src/exercises/engine.js';
import { connectDocker } from '../src/local/docker.js';
import { downLocal } from '../src/local/down.js';
import { collectingProgress } from '../src/local/progress.js';
import { median } from '../src/pipeline/amdahl.js';
import { writeExerciseCourse } from '../test/helpers/exercise-course.js';

const { values } = parseArgs({ options: { json: { type: 'boolean' } } });
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => process.stderr.write(`${line}\n`);

const temp = mkdtempSync(join(tmpdir(), 'resops-bench-ex-'));
const n = Math.floor(Math.random() * 0xffff);
const { file, key } = writeExerciseCourse(temp, `bench-ex-${n.toString(16)}`, n);
const course = loadCourse(file);
const catalog = loadCatalog();
const engine = new ExerciseEngine({ course, learner: course.learners[0]!, sshKey: key, catalog, log: () => undefined });

const checks: Array<{ step: string; seconds: number; passed: boolean }> = [];
const cliChecks: Array<{ step: string; seconds: number }> = [];
const started = Date.now();
try {
  for (const exercise of catalog) {
    await engine.start(exercise.id);
    for (const step of exercise.steps) {
      const fresh = await engine.check();
      checks.push({ step: `${exercise.id}/${step.id}`, seconds: fresh.seconds, passed: fresh.passed });
      say(`${exercise.id}/${step.id}: fresh check ${fresh.seconds.toFixed(2)} s (${fresh.passed ? 'passed' : 'missing something, as expected'}); solving…`);
      await engine.solve();
    }
    // One passing check of the exercise's last step as a learner runs it, from the shell.
    const last = exercise.steps[exercise.steps.length - 1]!;
    const t0 = performance.now();
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'resops.mjs'), 'exercise', 'check', `${exercise.id}/${last.id}`, '--course', file, '--key', key], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    if (cli.status !== 0) throw new Error(`resops exercise check on ${exercise.id}/${last.id} exited ${cli.status}: ${cli.stdout}${cli.stderr}`);
    cliChecks.push({ step: `${exercise.id}/${last.id}`, seconds });
    say(`${exercise.id}/${last.id}: \`resops exercise check\` (new process) ${seconds.toFixed(2)} s`);
  }
} finally {
  await downLocal((await connectDocker()).docker, course, collectingProgress());
  rmSync(temp, { recursive: true, force: true });
}

const engineMedian = median(checks.map((c) => c.seconds));
const cliMedian = median(cliChecks.map((c) => c.seconds));
const slowest = [...checks].sort((a, b) => b.seconds - a.seconds).slice(0, 3);
const result = {
  machine: { cores: cpus().length, load1: Number(loadavg()[0]!.toFixed(2)) },
  steps: checks.length,
  medianCheckSeconds: Number(engineMedian.toFixed(3)),
  medianCliCheckSeconds: Number(cliMedian.toFixed(3)),
  slowest,
  checks,
  cliChecks,
  wholeCurriculumSeconds: Math.round((Date.now() - started) / 1000),
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`exercise checks on ${result.machine.cores} cores (load ${result.machine.load1}), ${checks.length} steps, whole curriculum solved in ${result.wholeCurriculumSeconds} s`);
  for (const c of checks) console.log(`  ${c.step.padEnd(36)} ${c.seconds.toFixed(2).padStart(6)} s`);
  console.log('passing checks through the CLI (the last step of each exercise, a new process each):');
  for (const c of cliChecks) console.log(`  ${c.step.padEnd(36)} ${c.seconds.toFixed(2).padStart(6)} s`);
  console.log(`median fresh check (in the engine):        ${engineMedian.toFixed(2)} s   (target ≤ 2 s)`);
  console.log(`median \`resops exercise check\` (new process): ${cliMedian.toFixed(2)} s   (target ≤ 2 s; Node + tsx start-up included)`);
  console.log(`slowest: ${slowest.map((c) => `${c.step} ${c.seconds.toFixed(1)} s`).join(', ')}`);
}
