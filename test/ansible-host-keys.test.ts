/**
 * Attack: a machine that is not the one Ansible met before (a recycled floating IP, a man in the
 * middle) answers at a known address. Ansible must refuse it, from the host's ansible-playbook
 * and from the toolbox image alike: the toolbox used to set ANSIBLE_HOST_KEY_CHECKING=False,
 * which overrode the inventory's `StrictHostKeyChecking=accept-new`. Real sshd (a resops/node
 * container on 127.0.0.1), real ansible-playbook; first use is trusted and remembered. The
 * exercise checks' ssh meets the same impostor and must say what to do about it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlaybook } from '../src/ansible/runner.js';
import { changedHostKeyMessage, hostKeyRefused, knownHostsEntry } from '../src/exercises/ssh-host-key.js';
import { locateTool } from '../src/local/toolbox.js';
import { ensureImages } from '../src/local/images.js';
import { collectingProgress } from '../src/local/progress.js';

const dockerAvailable = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
const ansible = await locateTool('ansible-playbook');
const NAME = `resops-hostkey-${process.pid}`;

describe.skipIf(!dockerAvailable || ansible.where === 'none')('host keys: trusted on first use, a changed one refused (host ansible and toolbox)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'resops-hostkeys-'));
  const docker = new Docker();
  let port = 0;
  const key = join(temp, 'id');
  // Apart from the inventory, as the course's state directory is: the toolbox must mount it to remember keys.
  const knownHosts = join(mkdtempSync(join(tmpdir(), 'resops-hostkeys-known-')), 'known_hosts');
  const inventory = join(temp, 'inventory.yml');
  const playbook = join(temp, 'ping.yml');

  beforeAll(async () => {
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await ensureImages(docker, collectingProgress(), ['node']);
    const container = await docker.createContainer({
      name: NAME,
      Image: 'resops/node',
      Env: ['RESOPS_USER=learner', `RESOPS_SSH_KEY=${readFileSync(`${key}.pub`, 'utf8').trim()}`],
      HostConfig: { PortBindings: { '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    await container.start();
    port = Number((await container.inspect()).NetworkSettings.Ports['22/tcp']![0]!.HostPort);
    writeFileSync(playbook, '- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n');
    writeFileSync(
      inventory,
      `all:\n  hosts:\n    vm:\n      ansible_host: 127.0.0.1\n      ansible_port: ${port}\n      ansible_user: learner\n      ansible_ssh_private_key_file: ${key}\n      ansible_python_interpreter: /usr/bin/python3\n      ansible_ssh_args: -o ControlMaster=no\n      ansible_ssh_common_args: -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=accept-new -o HostKeyAlias=server-1 -o ConnectTimeout=10\n`,
    );
  }, 900_000);

  afterAll(async () => {
    await docker.getContainer(NAME).remove({ force: true }).catch(() => undefined);
    rmSync(temp, { recursive: true, force: true });
    rmSync(dirname(knownHosts), { recursive: true, force: true });
  });

  const ping = (toolbox: boolean) => {
    const saved = process.env.RESOPS_TOOLBOX;
    if (toolbox) process.env.RESOPS_TOOLBOX = '1';
    else delete process.env.RESOPS_TOOLBOX;
    const lines: string[] = [];
    return runPlaybook({ inventoryFile: inventory, playbook, mounts: [key], onLine: (line) => lines.push(line) }).then((run) => ({ ...run, output: lines.join('\n') })).finally(() => {
      if (saved === undefined) delete process.env.RESOPS_TOOLBOX;
      else process.env.RESOPS_TOOLBOX = saved;
    });
  };

  for (const toolbox of [false, true]) {
    it(`${toolbox ? 'toolbox' : 'host'} ansible: first use trusts and remembers the key; an impostor's key under the same name is refused`, async () => {
      writeFileSync(knownHosts, '');
      const first = await ping(toolbox);
      expect(first.ok, first.failures.map((f) => f.message).join('; ')).toBe(true);
      // Remembered under the server's name (hashed, as Debian's ssh does by default).
      expect(spawnSync('ssh-keygen', ['-F', 'server-1', '-f', knownHosts], { encoding: 'utf8' }).stdout).toMatch(/ssh-|ecdsa-/);
      // The impostor: another machine's key recorded for this server (as if the one met first had been replaced).
      const other = join(temp, 'other');
      rmSync(other, { force: true });
      rmSync(`${other}.pub`, { force: true });
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      writeFileSync(knownHosts, `server-1 ${readFileSync(`${other}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}\n`);
      const second = await ping(toolbox);
      expect(second.ok, JSON.stringify(second.failures)).toBe(false);
      expect(second.failures, JSON.stringify(second.failures)).toEqual([expect.objectContaining({ host: 'vm', status: 'unreachable' })]);
      expect(second.output).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    }, 900_000);
  }

  it('an exercise check meeting a changed key says so, and the command it gives (after a rebuild) lets the next check in', () => {
    const file = join(dirname(knownHosts), 'checks_known_hosts');
    const ssh = (user = 'learner') =>
      spawnSync('ssh', ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${file}`, '-o', 'HostKeyAlias=vm-1', '-o', 'LogLevel=ERROR', '-o', 'IdentitiesOnly=yes', '-i', key, '-p', String(port), `${user}@127.0.0.1`, 'true'], { encoding: 'utf8', timeout: 30_000 });
    writeFileSync(file, '');
    expect(ssh().status).toBe(0);
    // Another failure (a login refused) is not taken for a changed key.
    const refused = ssh('nobody');
    expect(refused.status).toBe(255);
    expect(hostKeyRefused(refused.stderr)).toBe(false);
    const other = join(temp, 'rebuilt');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    writeFileSync(file, `vm-1 ${readFileSync(`${other}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}\n`);
    const changed = ssh();
    expect(changed.status).toBe(255);
    expect(hostKeyRefused(changed.stderr)).toBe(true);
    const message = changedHostKeyMessage('vm1', '127.0.0.1', file, knownHostsEntry('127.0.0.1', port, 'vm-1'));
    expect(message).toContain('If it was not rebuilt, stop');
    const forget = /`(ssh-keygen -f \S+ -R '[^']+')`/.exec(message)?.[1];
    expect(forget).toBe(`ssh-keygen -f ${file} -R 'vm-1'`);
    expect(spawnSync('sh', ['-c', forget!], { encoding: 'utf8' }).status).toBe(0);
    expect(ssh().status).toBe(0);
  }, 120_000);
});
