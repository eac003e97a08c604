/**
 * How the toolkit runs one terraform process and reads what it says: output through a log file
 * (decoded across reads), one SIGINT passed on when the run is interrupted, the change summary
 * and error diagnostics of -no-color output, and waiting for a terraform an earlier run left.
 * The processes here are small shell scripts standing in for terraform; the real terraform runs
 * in terraform-validate.test.ts and against the rehearsal cloud (test/cloud/terraform-course.ts).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseChanges, stateLockId, terraformError } from '../src/terraform/output-parse.js';
import { runTerraform } from '../src/terraform/process.js';
import { holdStack, waitForEarlierRun } from '../src/terraform/stack-holder.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'resops-tf-process-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('runTerraform with a log file', () => {
  it('reports lines as they are written, a multi-byte character split across two writes intact', async () => {
    // "é" is 0xC3 0xA9: the first byte ends one write, the second starts the next.
    const binary = script('fake-terraform', `printf 'caf\\303'; sleep 0.5; printf '\\251\\nsecond line\\nno newline at the end'`);
    const lines: string[] = [];
    const result = await runTerraform({ binary, cwd: dir, args: [], logFile: join(dir, 'out.log'), onLine: (l) => lines.push(l) });
    expect(result.code).toBe(0);
    expect(lines).toEqual(['café', 'second line', 'no newline at the end']);
    expect(readFileSync(join(dir, 'out.log'), 'utf8')).toBe('café\nsecond line\nno newline at the end');
  });

  it('passes one SIGINT when the run is interrupted, and terraform finishes in its own time', async () => {
    const binary = script('fake-terraform', `trap 'echo "Interrupt received. Gracefully shutting down..."; sleep 0.3; echo saved; exit 1' INT
echo started
i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
echo never interrupted`);
    const controller = new AbortController();
    const lines: string[] = [];
    const pids: number[] = [];
    const running = runTerraform({
      binary, cwd: dir, args: [], logFile: join(dir, 'out.log'), signal: controller.signal,
      onStart: (pid) => pids.push(pid),
      onLine: (line) => {
        lines.push(line);
        if (line === 'started') controller.abort();
      },
    });
    const result = await running;
    expect(pids).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(lines).toEqual(['started', 'Interrupt received. Gracefully shutting down...', 'saved']);
  });

  it('runs terraform in a process group of its own, so a Ctrl-C at the terminal reaches it only through resops', async () => {
    const binary = script('fake-terraform', 'ps -o pgid= -p $$');
    const lines: string[] = [];
    const result = await runTerraform({ binary, cwd: dir, args: [], logFile: join(dir, 'out.log'), onStart: () => undefined, onLine: (l) => lines.push(l) });
    expect(result.code).toBe(0);
    const group = Number(lines[0]!.trim());
    expect(group).not.toBe(Number(readFileSync('/proc/self/stat', 'utf8').split(' ')[4]));
  });
});

describe('reading terraform output', () => {
  // The lines terraform 1.11 prints with -no-color, as the runs against the rehearsal cloud gave them.
  it('takes the last change summary of plan, apply and destroy', () => {
    expect(parseChanges('Plan: 3 to add, 0 to change, 0 to destroy.\n\nChanges to Outputs:')).toEqual({ add: 3, change: 0, destroy: 0 });
    expect(parseChanges('Plan: 11 to add, 0 to change, 0 to destroy.\n...\nApply complete! Resources: 11 added, 0 changed, 0 destroyed.')).toEqual({ add: 11, change: 0, destroy: 0 });
    expect(parseChanges('No changes. Your infrastructure matches the configuration.\n\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.')).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(parseChanges('Plan: 0 to add, 0 to change, 17 to destroy.\nDestroy complete! Resources: 17 destroyed.')).toEqual({ add: 0, change: 0, destroy: 17 });
    expect(parseChanges('Initializing the backend...\nError: Failed to load plugin schemas')).toBeUndefined();
  });

  it('gives each error diagnostic without its frame, and the lock ID when the state is locked', () => {
    const output = [
      'openstack_compute_keypair_v2.environment_keypair_9D2AE703: Creating...',
      '╷',
      '│ Error: Error creating openstack_compute_keypair_v2 resops-demo-bob-key: Expected HTTP response code [200 201] when accessing [POST http://127.0.0.1:8774/v2.1/os-keypairs], but got 409 instead',
      '│ {"conflictingRequest": {"code": 409, "message": "Key pair \'resops-demo-bob-key\' already exists."}}',
      '│ ',
      '│   with openstack_compute_keypair_v2.environment_keypair_9D2AE703,',
      '│   on cdk.tf.json line 120, in resource.openstack_compute_keypair_v2.environment_keypair_9D2AE703:',
      '│  120:       }',
      '│ ',
      '╵',
      '╷',
      '│ Error: Error acquiring the state lock',
      '│ ',
      '│ Lock Info:',
      '│   ID:        4c1b9e0a-6a3e-4c39-a1a4-1e2a1c2f5b11',
      '╵',
    ].join('\n');
    const error = terraformError(output)!;
    expect(error.split('\n').filter((l) => l.startsWith('Error: '))).toEqual(['Error: Error creating openstack_compute_keypair_v2 resops-demo-bob-key: Expected HTTP response code [200 201] when accessing [POST http://127.0.0.1:8774/v2.1/os-keypairs], but got 409 instead', 'Error: Error acquiring the state lock']);
    expect(error).toMatch(/^Error: Error creating openstack_compute_keypair_v2 resops-demo-bob-key: .*got 409 instead\n\{"conflictingRequest".*already exists/);
    expect(error).toContain('  on cdk.tf.json line 120');
    expect(error).not.toMatch(/[│╷╵]/);
    expect(stateLockId(output)).toBe('4c1b9e0a-6a3e-4c39-a1a4-1e2a1c2f5b11');
    expect(stateLockId('Error: something else')).toBeUndefined();
    expect(terraformError('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.')).toBeUndefined();
  });
});

describe('a terraform an earlier run left in a stack', () => {
  it('is waited for while it runs in that directory, then the stack is free', async () => {
    const child = spawn('sleep', ['1.5'], { cwd: dir });
    holdStack(dir, child.pid!, 'apply');
    const lines: string[] = [];
    const started = Date.now();
    expect(await waitForEarlierRun(dir, { log: (l) => lines.push(l), waitMs: 30_000, pollMs: 100 })).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(lines[0]).toMatch(new RegExp(`waiting for terraform apply of an earlier, interrupted run \\(pid ${child.pid}`));
    expect(lines.at(-1)).toMatch(/has finished; going on/);
    // Free now: no wait, nothing said.
    expect(await waitForEarlierRun(dir, { log: (l) => lines.push(`again: ${l}`), waitMs: 30_000 })).toBeUndefined();
    expect(lines.filter((l) => l.startsWith('again'))).toEqual([]);
  });

  it('says how to stop it when it outlasts the wait, and ignores a recorded pid that now runs elsewhere', async () => {
    const child = spawn('sleep', ['5'], { cwd: dir });
    try {
      holdStack(dir, child.pid!, 'apply');
      const held = await waitForEarlierRun(dir, { log: () => undefined, waitMs: 300, pollMs: 100 });
      expect(held).toMatch(new RegExp(`still runs in ${dir}; wait for it, or stop it with \`kill -INT ${child.pid}\``));
    } finally {
      child.kill();
    }
    // This test's own process is alive, but it does not run in the stack directory.
    holdStack(dir, process.pid, 'apply');
    expect(await waitForEarlierRun(dir, { log: () => undefined, waitMs: 300 })).toBeUndefined();
  });
});
