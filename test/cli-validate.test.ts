/** The CLI as users run it: a child process per call (≈1 s each, so the calls run in parallel). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const fixture = (name: string) => join('test', 'fixtures', 'cli', name);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function resops(...args: string[]): Promise<Run> {
  return resopsWith(process.env, ...args);
}

function resopsWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/resops.mjs', ...args], { cwd: root, timeout: 30_000, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('resops validate', () => {
  it('reports an invalid course with file:line:col and exit 2, a valid one with exit 0', async () => {
    const [bad, badJson, good, unknownFlag] = await Promise.all([
      resops('validate', fixture('bad-course.yaml')),
      resops('validate', fixture('bad-course.yaml'), '--json'),
      resops('validate', fixture('good-course.yaml')),
      resops('validate', fixture('good-course.yaml'), '--frobnicate'),
    ]);

    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad-course\.yaml:9:\d+ learners\[0\]\.ssh_public_key: not an OpenSSH public key/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(bad.stdout).toBe('');

    expect(badJson.code).toBe(2);
    const parsed = JSON.parse(badJson.stdout) as { ok: boolean; issues: Array<{ line: number; path: string }> };
    expect(parsed.ok).toBe(false);
    expect(parsed.issues).toEqual([expect.objectContaining({ line: 9, path: 'learners[0].ssh_public_key' })]);

    expect(good.code).toBe(0);
    expect(good.stdout.trim()).toBe(`${fixture('good-course.yaml')}: ok — 2 learners, target openstack`);

    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain('unknown flag --frobnicate');
  });
});

describe('the samples', () => {
  it('every sample course validates and preflights for both targets (the openstack-only checks included)', async () => {
    const samples = ['examples/course.yaml', 'examples/course-roster.yaml'];
    // No cloud to ask: a clouds.yaml of this machine (a rehearsal cloud) must not turn the estimate into a quota verdict.
    const home = mkdtempSync(join(tmpdir(), 'resops-no-cloud-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: home, RESOPS_CLOUD_DIR: home, OS_CLIENT_CONFIG_FILE: join(home, 'none.yaml') };
    for (const name of ['OS_CLOUD', 'OS_AUTH_URL']) delete env[name];
    const runs = await Promise.all(samples.flatMap((file) => ['local', 'openstack'].flatMap((target) => [resopsWith(env, 'validate', file, '--target', target), resopsWith(env, 'preflight', file, '--target', target, '--json')])));
    rmSync(home, { recursive: true, force: true });
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(runs.filter((_, i) => i % 2 === 0).map((r) => r.stdout.trim().replace(/^examples\/([a-z-]+\.yaml): ok — .*target (\w+)$/, '$1 $2'))).toEqual([
      'course.yaml local',
      'course.yaml openstack',
      'course-roster.yaml local',
      'course-roster.yaml openstack',
    ]);
  });
});
