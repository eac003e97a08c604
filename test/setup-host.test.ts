/**
 * README's two commands start with `bash scripts/setup-host.sh`: it must work as root on a machine
 * without sudo (a fresh container's root shell) and ask sudo for root otherwise. A `sudo` stand-in
 * on PATH records whether it was asked; the real installs and dockerd are the machine's own (the
 * script installs only what is missing, so here it only checks).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../scripts/setup-host.sh', import.meta.url));
const isRoot = process.getuid?.() === 0;
const dockerUp = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'resops-setup-host-'));
chmodSync(dir, 0o777);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `sudo` that only writes down how it was called. */
function fakeSudo(): { bin: string; calls: string } {
  const bin = mkdtempSync(join(dir, 'bin-'));
  chmodSync(bin, 0o755);
  const calls = join(dir, `calls-${Math.random().toString(16).slice(2)}`);
  writeFileSync(join(bin, 'sudo'), `#!/bin/sh\necho "$@" >> ${calls}\nexit 0\n`, { mode: 0o755 });
  writeFileSync(calls, '', { mode: 0o666 });
  chmodSync(calls, 0o666);
  return { bin, calls };
}

const asNobody = (path: string) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', `PATH=${path}`, 'bash', SCRIPT], { encoding: 'utf8', timeout: 60_000 });

describe.skipIf(!isRoot)('scripts/setup-host.sh, as README runs it', () => {
  it.skipIf(!dockerUp)('as root it never asks sudo, which a fresh container does not have', () => {
    const { bin, calls } = fakeSudo();
    const run = spawnSync('bash', [SCRIPT], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 600_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('setup-host: node ');
    expect(readFileSync(calls, 'utf8')).toBe('');
  });

  it('as another user it asks sudo to run itself as root, keeping CI', () => {
    const { bin, calls } = fakeSudo();
    const run = asNobody(`${bin}:/usr/bin:/bin`);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(calls, 'utf8').trim()).toBe(`--preserve-env=CI bash ${SCRIPT}`);
  });

  it('as another user without sudo it says what to do, and changes nothing', () => {
    // A PATH holding `id` only: no sudo, whatever this machine has installed.
    const only = mkdtempSync(join(dir, 'nosudo-'));
    chmodSync(only, 0o755);
    symlinkSync(spawnSync('bash', ['-c', 'command -v id'], { encoding: 'utf8' }).stdout.trim(), join(only, 'id'));
    const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/env', `PATH=${only}`, '/bin/bash', SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('setup-host: installing packages and starting dockerd needs root: run this as root, or install sudo');
  });
});
