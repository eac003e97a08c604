/**
 * Lift-and-shift's shared directory on the openstack target (role pipeline_share), for real: two
 * of the rehearsal cloud's server containers (systemd, sshd, cloud-init, and /dev/fuse as
 * `resops cloud up` gives them), one as worker1, which serves /srv/pipeline, the other as the
 * monitoring host. Ansible runs the role on both, as workers.yml does; sshfs mounts the share at
 * /data on each; the toolkit's own check before a run is then tried on them. Skipped, saying why,
 * without Docker, Ansible or FUSE.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ensureEcdsaKeyPair } from '../src/access/ecdsa-key.js';
import { PLAYBOOKS_DIR, runPlaybook, type PlaybookRun } from '../src/ansible/runner.js';
import { bootServer, type BootedServer, type ServerSpec } from '../src/cloud/server-boot.js';
import { ensureImages } from '../src/local/images.js';
import { collectingProgress } from '../src/local/progress.js';
import { packTar } from '../src/local/tar.js';
import { locateTool } from '../src/local/toolbox.js';
import { dockerNodeShell } from '../src/pipeline/node-shell.js';
import { checkShare } from '../src/pipeline/openstack-cluster.js';
import { shareKey } from '../src/pipeline/share-key.js';
import { runInContainer } from '../src/process/run-in-container.js';
import { TargetError } from '../src/targets/driver.js';

const ROLE = 'pipeline-share-test';
/** Start to cloud-init done, two at once on a loaded 2-core machine (cloud-server-image.test.ts). */
const BOOT_TIMEOUT_MS = 240_000;

const docker = new Docker();
const dockerUp = await docker.ping().then(
  () => true,
  () => false,
);
const ansible = dockerUp ? await locateTool('ansible-playbook') : undefined;
const skip = !dockerUp ? 'Docker is not reachable' : !existsSync('/dev/fuse') ? 'this kernel offers no FUSE (/dev/fuse)' : ansible?.where === 'none' ? ansible.reason : undefined;
if (skip) console.warn(`pipeline-share.test.ts skipped: ${skip}`);

async function removeTestServers(): Promise<void> {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`resops.role=${ROLE}`] } });
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
}

describe.skipIf(skip !== undefined)(`lift-and-shift's share: the pipeline_share role between two server containers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'resops-share-'));
  const course = { dir: scratch, stateDir: 'state', id: 'share-test', file: join(scratch, 'course.yaml') };
  const admin = ensureEcdsaKeyPair(course, join(scratch, 'state', 'automation', 'id_ecdsa'), 'resops-automation@share-test');
  const names = { head: `${ROLE}-monitoring`, worker: `${ROLE}-worker1` };
  const servers: Record<string, BootedServer> = {};
  const address: Record<string, string> = {};
  const inventoryFile = join(scratch, 'inventory.yml');
  const playbook = join(scratch, 'share.yml');
  const shell = dockerNodeShell(docker);
  const runs: PlaybookRun[] = [];

  const exec = async (node: string, cmd: string[]) => {
    const result = await runInContainer(docker, docker.getContainer(node), node, cmd, { timeoutMs: 60_000, check: false });
    return { code: result.code, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  };
  const play = () => {
    const key = shareKey(course);
    return runPlaybook({ inventoryFile, playbook, vars: { resops_pipeline_storage: 'volume', pipeline_share_public_key: key.publicKey, pipeline_share_private_key: key.privateKey }, mounts: [scratch] });
  };

  beforeAll(async () => {
    await removeTestServers();
    await ensureImages(docker, collectingProgress(), ['server']);
    await Promise.all(Object.entries(names).map(async ([role, name]) => {
      const spec: ServerSpec = {
        name,
        labels: { 'resops.role': ROLE },
        userData: '#cloud-config\n{}\n',
        instanceId: `i-${name}`,
        hostname: name,
        flavor: { vcpus: 1, ramMb: 1024 },
        publicKeys: [admin.publicKey],
        devices: ['/dev/fuse'],
      };
      servers[role] = await bootServer(docker, spec, { timeoutMs: BOOT_TIMEOUT_MS });
      address[role] = (await servers[role].container.inspect()).NetworkSettings.Networks.bridge?.IPAddress ?? '';
    }));
    const host = (role: string, extra: Record<string, unknown>) => ({
      ansible_host: address[role],
      ansible_user: 'debian',
      ansible_ssh_private_key_file: admin.privateKeyFile,
      ansible_ssh_common_args: `-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=${join(scratch, 'known_hosts')}`,
      resops_fixed_ip: address[role],
      ...extra,
    });
    writeFileSync(
      inventoryFile,
      stringify({
        all: {
          children: {
            monitoring: { hosts: { [names.head]: host('head', {}) } },
            workers: { hosts: { [names.worker]: host('worker', { resops_worker: 'worker1' }) } },
          },
        },
      }),
    );
    // The play of workers.yml, on its own: the rest of that playbook (Docker, Slurm) is not this test's.
    const workers = readFileSync(join(PLAYBOOKS_DIR, 'workers.yml'), 'utf8');
    const sharePlay = workers.slice(workers.indexOf('- name: The pipeline\'s shared directory')).replace('role: pipeline_share', `role: ${join(PLAYBOOKS_DIR, 'roles', 'pipeline_share')}`);
    writeFileSync(playbook, `---\n${sharePlay}`);
    runs.push(await play());
  }, BOOT_TIMEOUT_MS * 2 + 600_000);

  afterAll(async () => {
    await removeTestServers();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the first run mounts the share on both machines, worker1 included', () => {
    const [first] = runs;
    expect(first?.failures).toEqual([]);
    expect(first?.ok).toBe(true);
    expect(first?.recap.map((r) => r.host).sort()).toEqual([names.head, names.worker]);
    expect(first?.recap.every((r) => r.changed > 0)).toBe(true);
  });

  it('one directory: what the monitoring host writes, worker1 reads in /srv/pipeline as resops-share\'s, and the other way round', async () => {
    expect((await exec(names.head, ['sh', '-c', 'mkdir -p /data/run-a && echo from-head > /data/run-a/x'])).code).toBe(0);
    expect(await exec(names.worker, ['stat', '-c', '%U %s', '/srv/pipeline/run-a/x'])).toMatchObject({ code: 0, stdout: 'resops-share 10' });
    expect((await exec(names.worker, ['sh', '-c', 'echo from-worker > /data/run-a/y'])).code).toBe(0);
    expect((await exec(names.head, ['cat', '/data/run-a/y'])).stdout).toBe('from-worker');
    // A job's rename (Snakemake's temporary outputs) replaces a file another node made.
    expect((await exec(names.head, ['mv', '-f', '/data/run-a/y', '/data/run-a/x'])).code).toBe(0);
    expect((await exec(names.worker, ['cat', '/data/run-a/x'])).stdout).toBe('from-worker');
  });

  it('the share\'s key opens the SFTP server only: no shell, no command', async () => {
    const key = shareKey(course);
    await docker.getContainer(names.head).putArchive(packTar([{ path: 'share-key', content: key.privateKey, mode: 0o600 }]), { path: '/root' });
    const options = ['-i', '/root/share-key', '-o', 'BatchMode=yes', '-o', 'UserKnownHostsFile=/etc/resops/share_known_hosts', '-o', 'StrictHostKeyChecking=yes'];
    const tried = await exec(names.head, ['ssh', ...options, `resops-share@${address.worker}`, 'id; echo SHELL-RAN']);
    expect(tried.stdout).not.toContain('SHELL-RAN');
    expect(tried.stdout).not.toMatch(/uid=/);
    // The same key, the same server: SFTP answers (so the refusal above is not a failed login).
    const listed = await exec(names.head, ['sh', '-c', `echo 'ls /srv/pipeline' | sftp -b - ${options.join(' ')} resops-share@${address.worker}`]);
    expect(listed.stdout).toContain('run-a');
  });

  it('the second run changes nothing on either machine', async () => {
    const second = await play();
    expect(second.ok).toBe(true);
    expect(second.recap.map((r) => [r.host, r.changed])).toEqual(expect.arrayContaining([[names.head, 0], [names.worker, 0]]));
  });

  it('the check before a run passes on the real share and stops a run on a machine where it is gone', async () => {
    await expect(checkShare(shell, course, names.head, [names.worker], 'run-check')).resolves.toBe(`resops-share@${address.worker}:/srv/pipeline`);
    expect((await exec(names.worker, ['ls', '-A', '/srv/pipeline'])).stdout.split('\n')).toEqual(['run-a']);
    expect((await exec(names.worker, ['umount', '/data'])).code).toBe(0);
    const error = await checkShare(shell, course, names.head, [names.worker], 'run-check').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).message).toBe(`${names.worker}: /data is not the pipeline's shared directory (nothing is mounted there)`);
  });

  it('after a reboot of the monitoring host, its fstab line mounts the share again', async () => {
    await servers.head!.container.restart({ t: 5 });
    const deadline = Date.now() + 120_000;
    let mounted = '';
    while (Date.now() < deadline) {
      mounted = (await exec(names.head, ['findmnt', '--noheadings', '--output', 'FSTYPE', '--mountpoint', '/data']).catch(() => ({ stdout: '' }))).stdout;
      if (mounted === 'fuse.sshfs') break;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    expect(mounted).toBe('fuse.sshfs');
  });
});
