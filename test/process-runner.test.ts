/**
 * The one runner every command of the toolkit goes through, on the host and in a container:
 * lines as they come (UTF-8 whole across chunk edges), a timeout on every call, CommandFailed
 * with the command, the exit code and the last lines, and secrets masked in all a person sees.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailed } from '../src/process/command-failed.js';
import { runCommand, startCommand } from '../src/process/run-command.js';
import { runInContainer } from '../src/process/run-in-container.js';

/** A node one-liner writing each chunk in its own write, a pause between (separate pipe reads). */
function writer(chunks: Buffer[], exitCode = 0): string[] {
  const hex = JSON.stringify(chunks.map((c) => c.toString('hex')));
  return ['-e', `const c=${hex};let i=0;const next=()=>{if(i===c.length){process.exitCode=${exitCode};return;}process.stdout.write(Buffer.from(c[i++],'hex'),()=>setTimeout(next,50));};next();`];
}

async function caught(promise: Promise<unknown>): Promise<CommandFailed> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandFailed);
  return error as CommandFailed;
}

describe('runCommand (host)', () => {
  it('decodes a multi-byte character split across two writes and joins lines cut at chunk edges', async () => {
    const bytes = Buffer.from('probe: café ✓\nnext line\n', 'utf8');
    const cut = bytes.indexOf(0xa9); // between the two bytes of é
    const lines: string[] = [];
    const result = await runCommand(process.execPath, writer([bytes.subarray(0, cut), bytes.subarray(cut, cut + 8), bytes.subarray(cut + 8)]), {
      timeoutMs: 20_000,
      onLine: (line) => lines.push(line),
    });
    expect(lines).toEqual(['probe: café ✓', 'next line']);
    expect(result.stdout.trim()).toBe('probe: café ✓\nnext line');
    expect(result.code).toBe(0);
  });

  it('fails with the command, the exit code and the last lines of both streams', async () => {
    const error = await caught(runCommand('sh', ['-c', 'echo first; echo second >&2; echo third; exit 3'], { timeoutMs: 20_000 }));
    expect(error.exitCode).toBe(3);
    expect(error.end).toEqual({ kind: 'exit', code: 3 });
    expect(error.command).toBe(`sh -c 'echo first; echo second >&2; echo third; exit 3'`);
    expect([...error.tail].sort()).toEqual(['first', 'second', 'third']);
    expect(error.message).toMatch(/exited with 3:\n {4}\w+\n {4}\w+\n {4}\w+$/);
  });

  it('gives stdout back byte for byte: CRs, empty lines, a last line with or without its newline', async () => {
    for (const text of ['a\r\n\nb\n', 'a\nb']) {
      const lines: string[] = [];
      const result = await runCommand('printf', ['%s', text], { timeoutMs: 20_000, onLine: (line) => lines.push(line) });
      expect(result.stdout).toBe(text);
      expect(lines).toEqual(text === 'a\nb' ? ['a', 'b'] : ['a', '', 'b']);
    }
  });

  it('resolves with the exit code when asked not to check', async () => {
    const result = await runCommand('sh', ['-c', 'echo out; exit 5'], { timeoutMs: 20_000, check: false });
    expect(result.code).toBe(5);
    expect(result.stdout.trim()).toBe('out');
  });

  it('stops a command at its timeout: exit code 124 and a message that says so', async () => {
    const started = Date.now();
    const error = await caught(runCommand('sh', ['-c', 'echo started; exec sleep 60'], { timeoutMs: 500 }));
    expect(error.exitCode).toBe(124);
    expect(error.end).toEqual({ kind: 'timeout', afterMs: 500 });
    expect(error.message).toContain('timed out after 0.5 s');
    expect(error.tail).toEqual(['started']);
    // Stopped, not waited for: far less than the 60 s it asked for.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('says a command that does not exist could not start (127)', async () => {
    const error = await caught(runCommand('resops-no-such-program', ['x'], { timeoutMs: 5000 }));
    expect(error.exitCode).toBe(127);
    expect(error.end.kind).toBe('not-started');
    expect(error.message).toMatch(/^`resops-no-such-program x` could not start: .*ENOENT/);
  });

  it('masks secrets in lines, in the command line and in the error, never in what the caller asked for', async () => {
    const secret = 'hunter2-token-value';
    const lines: string[] = [];
    const error = await caught(
      runCommand('sh', ['-c', `echo "password is ${secret}"; echo "$TOKEN" >&2; exit 1`, secret], { timeoutMs: 20_000, env: { TOKEN: secret }, secrets: [secret], onLine: (l) => lines.push(l) }),
    );
    expect(lines.join('\n')).not.toContain(secret);
    expect(lines).toContain('password is ••••••');
    expect(error.message).not.toContain(secret);
    expect(error.command).not.toContain(secret);
    const result = await runCommand('sh', ['-c', `echo ${secret}`], { timeoutMs: 20_000, secrets: [secret], onLine: () => undefined });
    expect(result.stdout.trim()).toBe(secret);
  });

  it('with a log file: the program writes to the file itself, lines are followed, an abort sends one SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'resops-runner-'));
    try {
      const logFile = join(dir, 'out.log');
      const controller = new AbortController();
      const lines: string[] = [];
      let pid = 0;
      const running = runCommand('sh', ['-c', 'trap "echo interrupted, saving; exit 0" INT; echo "fd1 $(readlink /proc/$$/fd/1)"; echo ready; while :; do sleep 0.1; done'], {
        timeoutMs: 60_000,
        logFile,
        stopSignal: 'SIGINT',
        signal: controller.signal,
        onStart: (p) => (pid = p),
        onLine: (line) => {
          lines.push(line);
          if (line === 'ready') controller.abort();
        },
      });
      const result = await running;
      expect(pid).toBeGreaterThan(0);
      expect(lines[0]).toBe(`fd1 ${logFile}`);
      expect(lines).toContain('interrupted, saving');
      expect(result.code).toBe(0);
      expect(await readFile(logFile, 'utf8')).toContain('interrupted, saving');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('startCommand hands stdout over as bytes and fails with stderr as the tail', async () => {
    const ok = startCommand('printf', ['a\\303\\251b'], { timeoutMs: 20_000 });
    const chunks: Buffer[] = [];
    for await (const chunk of ok.stdout) chunks.push(chunk as Buffer);
    await ok.done;
    expect(Buffer.concat(chunks).toString('utf8')).toBe('aéb');
    const bad = startCommand('sh', ['-c', 'echo broken archive >&2; exit 2'], { timeoutMs: 20_000 });
    for await (const _ of bad.stdout) void _;
    const error = await caught(bad.done);
    expect(error.exitCode).toBe(2);
    expect(error.tail).toEqual(['broken archive']);
  });
});

const docker = await import('../src/local/docker.js').then((m) => m.connectDocker()).then(
  (c) => c.docker,
  (error: unknown) => String(error),
);

describe.skipIf(typeof docker === 'string')('runInContainer (Docker exec)', () => {
  const name = `resops-runner-test-${process.pid}`;
  beforeAll(async () => {
    if (typeof docker === 'string') return;
    const container = await docker.createContainer({ Image: 'resops/base:latest', name, Cmd: ['sleep', 'infinity'], Labels: { 'resops.role': 'test' } });
    await container.start();
  }, 60_000);
  afterAll(async () => {
    if (typeof docker !== 'string') await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
  });

  it('gives the same lines, exit code, tail and timeout as on the host', async () => {
    if (typeof docker === 'string') return;
    const container = docker.getContainer(name);
    const lines: string[] = [];
    const error = await caught(
      runInContainer(docker, container, name, ['sh', '-c', `printf 'caf\\303'; sleep 0.3; printf '\\251 ok\\n'; echo "$WHO" >&2; exit 4`], {
        timeoutMs: 20_000,
        env: { WHO: 'root-secret-1' },
        secrets: ['root-secret-1'],
        onLine: (line) => lines.push(line),
      }),
    );
    expect(lines.sort()).toEqual(['café ok', '••••••']);
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(`in ${name} exited with 4`);
    const slow = await caught(runInContainer(docker, container, name, ['sleep', '30'], { timeoutMs: 500 }));
    expect(slow.exitCode).toBe(124);
    const result = await runInContainer(docker, container, name, ['id', '-un'], { timeoutMs: 20_000, user: 'root' });
    expect(result.stdout).toBe('root\n');
    // A stage's stdout is a file: what was written, not lines joined again.
    const file = await runInContainer(docker, container, name, ['printf', '%s', '##vcf\nchr1\t1\n'], { timeoutMs: 20_000 });
    expect(file.stdout).toBe('##vcf\nchr1\t1\n');
  }, 60_000);
});

describe('one runner', () => {
  it('nothing under src/ but src/process/ spawns a process or execs in a container itself', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const root = join(import.meta.dirname, '..', 'src');
    const offenders: string[] = [];
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = join(entry.parentPath, entry.name);
      const relative = file.slice(root.length + 1);
      if (relative.startsWith('process/') || relative.startsWith('.gen/')) continue;
      const text = readFileSync(file, 'utf8');
      if (/from 'node:child_process'|from 'execa'|from 'zx'|\.exec\(\{\s*Cmd/.test(text)) offenders.push(relative);
    }
    expect(offenders).toEqual([]);
  });
});
