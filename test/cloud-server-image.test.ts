/**
 * The rehearsal cloud's server image (containers/server, groundwork for #13) boots like a Debian
 * cloud VM: real Docker, the real image, and the user data our stacks synthesize for a learner VM.
 * Skipped, saying why, when Docker is not reachable.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, seedFiles, serverCreateOptions, waitForCloudInit, type BootedServer, type ServerSpec } from '../src/cloud/server-boot.js';
import { loadCourseText } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { ensureImages } from '../src/local/images.js';
import { collectingProgress } from '../src/local/progress.js';
import { runInContainer } from '../src/process/run-in-container.js';
import { synthCourse } from '../src/synth/synthesize.js';
import { courseYaml } from './helpers/course-yaml.js';

const ROLE = 'rehearsal-server-test';
const LABELS = { 'resops.role': ROLE };
/**
 * Start to cloud-init done, with the user data's `package_update` (an apt-get update against
 * deb.debian.org): ≈30 s alone, up to ≈110 s for two at once on this loaded 2-core machine.
 */
const BOOT_TIMEOUT_MS = 240_000;

const docker = new Docker();
const dockerUp = await docker.ping().then(
  () => true,
  () => false,
);
if (!dockerUp) console.warn('cloud-server-image.test.ts skipped: Docker is not reachable');

async function removeTestServers(): Promise<void> {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`resops.role=${ROLE}`] } });
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/** The learner VM's user data exactly as our stacks render it into the learner stack. */
function learnerUserData(course: Course, outDir: string): string {
  const result = synthCourse(course, outDir);
  const stack = result.stacks.find((s) => s.kind === 'learner' && s.learnerId === course.learners[0]!.id);
  if (!stack) throw new Error('synth produced no learner stack');
  const json = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, { user_data?: unknown }>> };
  const servers = Object.values(json.resource?.openstack_compute_instance_v2 ?? {});
  const userData = servers[0]?.user_data;
  if (typeof userData !== 'string') throw new Error('the learner stack has no server with user_data');
  return userData;
}

/** Failed units once systemd has finished starting (`--wait`, bounded by the exec's timeout); and its state. */
async function settledSystem(server: BootedServer): Promise<{ state: string; failed: string }> {
  const state = (await exec(server, ['systemctl', 'is-system-running', '--wait'], false)).stdout;
  const failed = (await exec(server, ['systemctl', 'list-units', '--failed', '--plain', '--no-legend'])).stdout;
  return { state, failed };
}

async function exec(server: BootedServer, cmd: string[], check = true): Promise<{ code: number; stdout: string }> {
  const result = await runInContainer(docker, server.container, 'server', cmd, { timeoutMs: 60_000, check });
  return { code: result.code, stdout: result.stdout.trim() };
}

describe('a server container\'s options and seed (no Docker)', () => {
  const spec: ServerSpec = { name: 's', labels: LABELS, userData: '#cloud-config\n{}\n', instanceId: 'i-1', hostname: 'vm1', flavor: { vcpus: 4, ramMb: 8192 } };

  it('takes memory and CPUs from the flavor, capping vCPUs at the host\'s (Docker refuses more)', () => {
    const options = serverCreateOptions(spec, 2);
    expect(options.HostConfig).toMatchObject({ Memory: 8192 * 2 ** 20, MemorySwap: 8192 * 2 ** 20, NanoCpus: 2e9 });
    expect(serverCreateOptions(spec, 8).HostConfig?.NanoCpus).toBe(4e9);
    expect(options.Hostname).toBe('vm1');
  });

  it('gives what systemd and Docker inside need: SYS_ADMIN and NET_ADMIN, a cgroup namespace of its own, /var/lib/docker on a volume, no host path', () => {
    const options = serverCreateOptions(spec, 2);
    expect(options.HostConfig).toMatchObject({ CapAdd: ['SYS_ADMIN', 'NET_ADMIN'], CgroupnsMode: 'private' });
    expect(options.HostConfig?.Binds).toBeUndefined();
    expect(options.HostConfig?.Privileged).toBeUndefined();
    expect(options.Volumes).toEqual({ '/var/lib/docker': {} });
  });

  it('writes meta-data as YAML and keeps the user data root-only', () => {
    expect(seedFiles(spec)).toEqual([
      { path: 'meta-data', content: 'instance-id: i-1\nlocal-hostname: vm1\n', mode: 0o644 },
      { path: 'user-data', content: spec.userData, mode: 0o600 },
    ]);
  });
});

describe.skipIf(!dockerUp)('resops/server boots like a Debian cloud VM', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'resops-server-test-'));
  const course = loadCourseText(courseYaml({ id: 'srv', learners: 1, adminKey: true, monitoring: false }), 'course.yaml', scratch);
  const learner = course.learners[0]!;
  const flavor = course.cloud.flavors.learner;
  const userData = learnerUserData(course, join(scratch, 'out'));
  const specs: ServerSpec[] = [1, 2].map((n) => ({
    name: `resops-server-test-${n}`,
    labels: LABELS,
    userData,
    instanceId: `i-srv-test-${n}`,
    hostname: `srv-${learner.id}-vm${n}`,
    flavor: { vcpus: flavor.vcpus, ramMb: flavor.ramMb },
  }));
  const servers: BootedServer[] = [];
  const bootMs: number[] = [];

  beforeAll(async () => {
    await removeTestServers();
    await ensureImages(docker, collectingProgress(), ['server']);
    const booted = await Promise.all(
      specs.map(async (spec) => {
        const started = Date.now();
        const server = await bootServer(docker, spec, { timeoutMs: BOOT_TIMEOUT_MS });
        bootMs.push(Date.now() - started);
        return server;
      }),
    );
    servers.push(...booted);
    // As `docker stats` counts it: usage without the inactive page cache (cgroup v1 or v2 name).
    const memory = await Promise.all(
      servers.map((s) =>
        s.container.stats({ stream: false }).then(({ memory_stats: m }) => m.usage - ((m.stats.total_inactive_file as number | undefined) ?? m.stats.inactive_file ?? 0)),
      ),
    );
    console.log(`start to cloud-init done: ${bootMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}; memory: ${memory.map((b) => `${(b / 2 ** 20).toFixed(0)} MiB`).join(', ')}`);
  });

  afterAll(async () => {
    await removeTestServers();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the user data is our stacks\' cloud-config for the learner', () => {
    expect(userData.startsWith('#cloud-config\n')).toBe(true);
    expect(userData).toContain(`name: ${learner.id}`);
    expect(userData).toContain(learner.sshPublicKey);
  });

  it('cloud-init finished from the NoCloud seed without errors', async () => {
    for (const server of servers) {
      expect(server.cloudInit).toMatchObject({ status: 'done', errors: [] });
      expect(server.cloudInit.datasource).toContain('NoCloud');
      expect((await exec(server, ['cloud-init', 'status'])).stdout).toBe('status: done');
    }
  });

  it('systemd is PID 1 and the system is running with no failed unit', async () => {
    for (const server of servers) {
      expect((await exec(server, ['cat', '/proc/1/comm'])).stdout).toBe('systemd');
      const { state, failed } = await settledSystem(server);
      expect(failed, `failed units:\n${failed}`).toBe('');
      expect(['running', 'degraded']).toContain(state);
    }
  });

  it('the learner can log in with exactly their key, and the admin key is the default user\'s', async () => {
    for (const server of servers) {
      expect((await exec(server, ['getent', 'passwd', learner.id])).stdout).toMatch(new RegExp(`^${learner.id}:x:\\d+:\\d+:${learner.name}:/home/${learner.id}:/bin/bash$`));
      const keys = (await exec(server, ['cat', `/home/${learner.id}/.ssh/authorized_keys`])).stdout;
      expect(keys.split('\n').filter((line) => line && !line.startsWith('#'))).toEqual([learner.sshPublicKey]);
      expect((await exec(server, ['cat', '/home/debian/.ssh/authorized_keys'])).stdout).toContain(course.cloud.adminSshPublicKey);
      expect((await exec(server, ['sudo', '-n', '-u', learner.id, 'sudo', '-n', 'true'], false)).code).toBe(0);
    }
  });

  it('has the hostname of its meta-data, and sshd listens on 22', async () => {
    for (const [index, server] of servers.entries()) {
      expect((await exec(server, ['hostname'])).stdout).toBe(specs[index]!.hostname);
      expect((await exec(server, ['cat', '/etc/hostname'])).stdout).toBe(specs[index]!.hostname);
      expect((await exec(server, ['systemctl', 'is-active', 'ssh'])).stdout).toBe('active');
      expect((await exec(server, ['ss', '-Hltn', 'sport = :22'])).stdout).toMatch(/LISTEN.*:22\b/);
    }
  });

  it('two servers of one image have different SSH host keys', async () => {
    const keys = await Promise.all(servers.map((s) => exec(s, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']).then((r) => r.stdout.split(' ')[1])));
    expect(keys[0]).toMatch(/^AAAA/);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('has the flavor\'s memory and CPU limits', async () => {
    for (const server of servers) {
      const { HostConfig } = await server.container.inspect();
      expect(HostConfig.Memory).toBe(flavor.ramMb * 2 ** 20);
      expect(HostConfig.NanoCpus).toBe(flavor.vcpus * 1e9);
    }
  });

  it('keeps its disk across a stop and start, and does not run the user data again', async () => {
    const server = servers[0]!;
    const ranOnce = (module: string) => exec(server, ['grep', '-c', `config-${module} ran successfully`, '/var/log/cloud-init.log']).then((r) => r.stdout);
    const hostKey = () => exec(server, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']).then((r) => r.stdout);
    await exec(server, ['sh', '-c', 'echo kept > /var/lib/resops-marker']);
    // Changed by hand after the first boot: a second run of the users module would undo it.
    await exec(server, ['sh', '-c', `echo '# added after first boot' >> /home/${learner.id}/.ssh/authorized_keys`]);
    const keyBefore = await hostKey();
    await server.container.stop({ t: 30 });
    const started = Date.now();
    await server.container.start();
    const again = await waitForCloudInit(docker, server.container, specs[0]!.name, { timeoutMs: BOOT_TIMEOUT_MS });
    console.log(`second boot, start to cloud-init done: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(again).toMatchObject({ status: 'done', errors: [] });
    expect((await exec(server, ['cat', '/var/lib/resops-marker'])).stdout).toBe('kept');
    expect((await exec(server, ['tail', '-n', '1', `/home/${learner.id}/.ssh/authorized_keys`])).stdout).toBe('# added after first boot');
    // Same instance id: the per-instance modules (users, ssh host keys, packages) are skipped.
    expect(await ranOnce('users-groups')).toBe('1');
    expect(await ranOnce('ssh')).toBe('1');
    expect(await ranOnce('package-update-upgrade-install')).toBe('1');
    expect((await exec(server, ['grep', '-c', 'config-users-groups previously ran', '/var/log/cloud-init.log'])).stdout).toBe('1');
    expect(await hostKey()).toBe(keyBefore);
    const { failed } = await settledSystem(server);
    expect(failed, `failed units after the second boot:\n${failed}`).toBe('');
    expect((await exec(server, ['ls', '/var/lib/cloud/instances'])).stdout).toBe(specs[0]!.instanceId);
  }, 2 * BOOT_TIMEOUT_MS);
});
