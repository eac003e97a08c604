/**
 * README's first run, exactly as written: `npm start`, then every line of its walk-through block
 * (configure, status, one exercise step, down) in a shell from the repository root, on the real
 * sample course and the real local target. Out of the box: no private key is given anywhere, so
 * `configure` can only succeed through the course's own automation key.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import { connectDocker } from '../src/local/docker.js';
import { downLocal } from '../src/local/down.js';
import { collectingProgress } from '../src/local/progress.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SAMPLE = loadCourse(join(ROOT, 'examples', 'course.yaml'));
const dockerAvailable = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
// Someone's own sample lab must not be torn down by a test run.
const sampleAlreadyUp = dockerAvailable && spawnSync('docker', ['ps', '-aq', '--filter', `label=resops.course=${SAMPLE.id}`], { encoding: 'utf8' }).stdout.trim() !== '';

/** The lines of the fenced block after `<!-- walkthrough -->`. */
function walkthrough(): string[] {
  const block = /<!-- walkthrough -->\s*```sh\n([\s\S]*?)```/.exec(README);
  if (!block) throw new Error('README.md has no <!-- walkthrough --> block');
  return block[1]!.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** A command line as a reader pastes it: a shell in the repository root, the environment without the test's keys. */
function shell(line: string) {
  const env = { ...process.env };
  for (const name of ['RESOPS_SSH_KEY', 'RESOPS_LEARNER_KEYS', 'RESOPS_COURSE', 'RESOPS_LEARNER', 'SSH_AUTH_SOCK']) delete env[name];
  const run = spawnSync('bash', ['-c', line], { cwd: ROOT, encoding: 'utf8', env, timeout: 900_000 });
  return { code: run.status, out: `${run.stdout}${run.stderr}`, stdout: run.stdout };
}

describe.skipIf(!dockerAvailable || sampleAlreadyUp)('README\'s first run, as written', () => {
  afterAll(async () => {
    await downLocal((await connectDocker()).docker, SAMPLE, collectingProgress());
    rmSync(join(SAMPLE.dir, SAMPLE.stateDir, 'exercises'), { recursive: true, force: true });
  });

  it('walk-through block: configure, status, an exercise step and down, as the README lists them', () => {
    expect(walkthrough()).toEqual([
      'npx resops configure examples/course.yaml',
      'npx resops status examples/course.yaml',
      'npx resops exercise start 0 --course examples/course.yaml --learner alice',
      'npx resops exercise check --course examples/course.yaml --learner alice',
      'npx resops down examples/course.yaml',
    ]);
  });

  it('npm start, then each line of the walk-through succeeds and does what the README says', () => {
    const start = shell('npm start');
    expect(start.code, start.out.slice(-3000)).toBe(0);
    const [configure, status, exerciseStart, check, down] = walkthrough().map((line) => ({ line, ...shell(line) }));
    for (const step of [configure, status, exerciseStart, check, down]) expect(step!.code, `${step!.line}\n${step!.out.slice(-3000)}`).toBe(0);
    // Every VM of the sample configured, none unreachable: the automation key let Ansible in.
    expect(configure!.stdout).toContain(`course ${SAMPLE.id}: configured`);
    const vms = SAMPLE.learners.flatMap((l) => Array.from({ length: l.vms }, (_, i) => `${SAMPLE.id}-${l.id}-vm${i + 1}`));
    for (const vm of vms) expect(configure!.stdout).toMatch(new RegExp(`${vm}\\s+\\d+\\s+\\d+\\s+0\\s+0\\s+\\d+\\s+ok`));
    // configure returns once Prometheus has scraped every VM, so status right after it is healthy.
    expect(configure!.out).toContain(`Prometheus scrapes all ${vms.length}`);
    expect(status!.stdout).toContain(`course ${SAMPLE.id}: healthy`);
    expect(exerciseStart!.stdout).toContain('00-setup');
    expect(check!.stdout).toContain('✔ 00-setup/lab-up');
    const left = ['ps -aq', 'network ls -q', 'volume ls -q'].map((what) => spawnSync('bash', ['-c', `docker ${what} --filter label=resops.course=${SAMPLE.id}`], { encoding: 'utf8' }).stdout.trim());
    expect(left).toEqual(['', '', '']);
  }, 1_800_000);
});
