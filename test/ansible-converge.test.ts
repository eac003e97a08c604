/**
 * `resops configure` against the local target's VM containers, for real: a small course of its
 * own (unique id, own ports and CIDR, one learner with one VM — the multi-learner inventory is
 * covered by ansible-inventory.test.ts — monitoring off), keys made with ssh-keygen.
 * The first run changes things, the second changes nothing on any host, and afterwards
 * node-exporter answers, the roster key logs in, and passwords and root are refused.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildInventory } from '../src/ansible/build.js';
import { sshNodeShell } from '../src/pipeline/node-shell.js';
import type { HostRecap } from '../src/ansible/output.js';
import { locateTool } from '../src/local/toolbox.js';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';

const root = join(import.meta.dirname, '..');

async function dockerOrReason(): Promise<Docker | string> {
  try {
    const { connectDocker } = await import('../src/local/docker.js');
    return (await connectDocker()).docker;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const docker = await dockerOrReason();
const ansible = typeof docker === 'string' ? undefined : await locateTool('ansible-playbook');
const skipReason = typeof docker === 'string' ? `Docker unavailable: ${docker}` : ansible?.where === 'none' ? ansible.reason : undefined;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeout = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, timeout, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const resops = (...args: string[]) => run(process.execPath, ['bin/resops.mjs', ...args]);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port base whose SSH port (base+1) and service ports (base+91…95) are free. */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + randomInt(0, 400) * 100;
    const ports = [1, 91, 92, 93, 94, 95].map((d) => base + d);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range found in 50 attempts');
}

/** Runs a command in a container as root; stdout, stderr and the exit code. */
async function exec(container: Docker.Container, cmd: string[]): Promise<Run> {
  const handle = await container.exec({ Cmd: cmd, User: 'root', AttachStdout: true, AttachStderr: true });
  const stream = await handle.start({});
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  (container.modem as { demuxStream(s: NodeJS.ReadableStream, o: NodeJS.WritableStream, e: NodeJS.WritableStream): void }).demuxStream(stream, out, err);
  await new Promise<void>((resolve) => stream.on('end', () => resolve()));
  const info = await handle.inspect();
  return { code: info.ExitCode ?? -1, stdout, stderr };
}

function ssh(key: string, port: number, user: string, ...extra: string[]): Promise<Run> {
  return run('ssh', [
    '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=10', '-i', key, '-p', String(port), ...extra, `${user}@127.0.0.1`, 'id -un',
  ], 30_000);
}

interface Summary {
  ok: boolean;
  ranIn: string;
  hosts: HostRecap[];
  failures: unknown[];
}

describe.skipIf(skipReason !== undefined)(`resops configure on the local target${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const temp = mkdtempSync(join(tmpdir(), 'resops-converge-'));
  const keys = join(temp, 'keys');
  const id = `t-ansible-${randomBytes(3).toString('hex')}`;
  const learners = ['alice'];
  let course: Course;
  let file: string;
  let first: Summary;
  let firstStderr = '';
  const timings: Record<string, number> = {};

  const quietly = async <T>(work: () => Promise<T>): Promise<T> => {
    // The driver prints its JSON result on stdout; keep the test output readable.
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return await work();
    } finally {
      spy.mockRestore();
    }
  };

  beforeAll(async () => {
    mkdirSync(keys);
    // mallory's key is in no roster: it must not open alice's VM.
    for (const learner of [...learners, 'mallory']) {
      const made = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${learner}@${id}`, '-f', join(keys, learner)]);
      if (made.code !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
    }
    const base = await freePortBase();
    const octet = 100 + randomInt(0, 150);
    file = join(temp, 'course.yaml');
    writeFileSync(
      file,
      [
        'course:',
        `  id: ${id}`,
        '  title: Ansible converge test',
        'target: local',
        'network:',
        `  cidr: 10.${octet}.0.0/16`,
        'learners:',
        ...learners.flatMap((l) => [`  - id: ${l}`, `    name: ${l}`, `    ssh_public_key: ${readFileSync(join(keys, `${l}.pub`), 'utf8').trim()}`]),
        'environment:',
        '  vms: 1',
        '  volume_gb: 0',
        'monitoring:',
        '  enabled: false',
        'pipeline:',
        '  workers: 0',
        'local:',
        `  ssh_port_base: ${base}`,
        `  ports: { prometheus: ${base + 91}, pushgateway: ${base + 92}, alertmanager: ${base + 93}, gnocchi: ${base + 94}, swift: ${base + 95} }`,
        '',
      ].join('\n'),
    );
    course = loadCourse(file);
    const { localDriver } = await import('../src/local/driver.js');
    const started = Date.now();
    const code = await quietly(() => localDriver.up(course, { json: true }));
    timings.up = Date.now() - started;
    if (code !== 0) throw new Error(`resops up of ${id} failed (exit ${code})`);
  }, 900_000);

  afterAll(async () => {
    if (course) {
      const { localDriver } = await import('../src/local/driver.js');
      await quietly(() => localDriver.down(course, { json: true }));
    }
    rmSync(temp, { recursive: true, force: true });
    console.log(`ansible converge timings (ms): ${JSON.stringify(timings)}`);
  }, 300_000);

  it('inventory from Docker: each VM container at its published port, as its learner, with the learner\'s key', async () => {
    const inventory = await buildInventory(course, { keys: { learnerDir: keys } });
    expect(inventory.hosts.map((h) => [h.name, h.group, h.vars.ansible_host, h.vars.ansible_port, h.vars.ansible_user, h.vars.ansible_ssh_private_key_file])).toEqual([
      [`${id}-alice-vm1`, 'learners', '127.0.0.1', course.local.sshPortBase + 1, 'alice', join(keys, 'alice')],
    ]);
    expect(inventory.warnings).toEqual([]);
  });

  it('the first run changes every host and streams per-task progress', async () => {
    const started = Date.now();
    const result = await resops('configure', file, '--learner-keys', keys, '--json');
    timings.firstRun = Date.now() - started;
    firstStderr = result.stderr;
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    first = JSON.parse(result.stdout) as Summary;
    expect(first.ok).toBe(true);
    expect(first.hosts.map((h) => h.host)).toEqual([`${id}-alice-vm1`]);
    for (const host of first.hosts) {
      expect(host.changed, host.host).toBeGreaterThan(0);
      expect([host.failed, host.unreachable]).toEqual([0, 0]);
    }
    timings.firstChanged = first.hosts.reduce((n, h) => n + h.changed, 0);
    expect(firstStderr).toMatch(new RegExp(`changed\\s+${id}-alice-vm1\\s+common : Write the hardening drop-in`));
    expect(firstStderr).toMatch(new RegExp(`ok\\s+${id}-alice-vm1\\s+node_exporter : Check that node-exporter answers`));
  }, 300_000);

  it('the second run changes nothing on any host', async () => {
    const started = Date.now();
    const result = await resops('configure', file, '--learner-keys', keys, '--json');
    timings.secondRun = Date.now() - started;
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const second = JSON.parse(result.stdout) as Summary;
    expect(second.hosts.map((h) => [h.host, h.changed, h.failed, h.unreachable])).toEqual(first.hosts.map((h) => [h.host, 0, 0, 0]));
    for (const host of second.hosts) expect(host.ok).toBeGreaterThan(5);
  }, 300_000);

  it('afterwards node-exporter answers on each VM, with the arguments Ansible wrote', async () => {
    const target = docker as Docker;
    for (const learner of learners) {
      const container = target.getContainer(`${id}-${learner}-vm1`);
      const metrics = await exec(container, ['python3', '-c', 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9100/metrics", timeout=5).read().decode())']);
      expect(metrics.code, metrics.stderr).toBe(0);
      expect(metrics.stdout).toMatch(/^node_exporter_build_info\{/m);
      const args = await exec(container, ['cat', '/etc/default/prometheus-node-exporter']);
      expect(args.stdout).toContain('ARGS="--no-collector.systemd --web.listen-address=127.0.0.1:9100"');
    }
  });

  it('the pipeline\'s SSH node shell: runs as root through sudo with the env in no argv, and reads a directory back', async () => {
    const inventory = await buildInventory(course, { keys: { learnerDir: keys } });
    // The local inventory's ssh options are the inventory's, not the host's: merged as Ansible does.
    const host = { ...inventory.hosts[0]!, vars: { ...inventory.vars, ...inventory.hosts[0]!.vars } };
    const shell = sshNodeShell([host]);
    const secret = 'not-in-any-argv-7f3a';
    // The command prints its own user, the variable, and how many processes' argv hold the secret
    // (printf is the shell's own: the pattern reaches grep through a file).
    const seen = await shell.run(host.name, ['sh', '-c', 'id -un; echo "$RUN_SECRET_KEY"; printf %s "$RUN_SECRET_KEY" > /tmp/pattern; grep -lFf /tmp/pattern /proc/[0-9]*/cmdline 2>/dev/null | wc -l'], { env: { RUN_SECRET_KEY: secret } });
    expect(seen.code, seen.stderr).toBe(0);
    expect(seen.stdout.trim().split('\n')).toEqual(['root', secret, '0']);
    expect(seen.command).not.toContain(secret);
    const made = await shell.run(host.name, ['sh', '-c', "mkdir -p /tmp/shell-check/logs/slurm && printf 'start 1 worker1\\n' > /tmp/shell-check/logs/slurm/7.times && printf 'x' > '/tmp/shell-check/logs/slurm/it'\"'\"'s.out'"]);
    expect(made.code, made.stderr).toBe(0);
    const files = await shell.files(host.name, '/tmp/shell-check', 'logs/slurm/');
    expect([...files.keys()].sort()).toEqual(['logs/slurm/7.times', "logs/slurm/it's.out"]);
    expect(files.get('logs/slurm/7.times')?.toString()).toBe('start 1 worker1\n');
    expect((await shell.files(host.name, '/tmp/shell-check', 'absent/')).size).toBe(0);
    expect((await shell.run(host.name, ['false'])).code).toBe(1);
  }, 60_000);

  it('SSH with the roster key works; passwords, other keys and root are refused', async () => {
    const port = course.local.sshPortBase + 1;
    const [alice, mallory, password, root] = await Promise.all([
      ssh(join(keys, 'alice'), port, 'alice'),
      ssh(join(keys, 'mallory'), port, 'alice'),
      ssh(join(keys, 'alice'), port, 'alice', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive'),
      ssh(join(keys, 'alice'), port, 'root'),
    ]);
    expect(alice.code, alice.stderr).toBe(0);
    expect(alice.stdout.trim()).toBe('alice');
    expect(mallory.code).not.toBe(0);
    expect(root.code).not.toBe(0);
    // The server offers public keys only: no password, no keyboard-interactive.
    expect(password.code).not.toBe(0);
    expect(password.stderr).toContain('Permission denied (publickey)');

    const effective = await exec((docker as Docker).getContainer(`${id}-alice-vm1`), ['/usr/sbin/sshd', '-T']);
    expect(effective.stdout).toMatch(/^passwordauthentication no$/m);
    expect(effective.stdout).toMatch(/^permitrootlogin no$/m);
    const dropIn = await exec((docker as Docker).getContainer(`${id}-alice-vm1`), ['cat', '/etc/ssh/sshd_config.d/10-resops-hardening.conf']);
    expect(dropIn.stdout).toMatch(/^PasswordAuthentication no$/m);
  });

  it('--limit names learners of the course or the shared machines, or nothing runs', async () => {
    const result = await resops('configure', file, '--learner-keys', keys, '--limit', 'alice,mallory');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--limit alice,mallory: no learner \`mallory\` in course ${id}`);
    expect(result.stderr).toContain('or the shared machines (monitoring, workers), separated by commas');
    expect(result.stdout).toBe('');
  });
});
