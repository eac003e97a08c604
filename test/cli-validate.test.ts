/** The CLI as users run it: a child process per call (≈1 s each, so the calls run in parallel). */
import { execFile } from 'node:child_process';
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
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/resops.mjs', ...args], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
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
