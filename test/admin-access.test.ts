/**
 * The course's admin login, which makes `configure` work out of the box: a per-course automation
 * key that OpenSSH itself accepts, made once into the state directory (0600) and never anywhere
 * else; its public half in the synthesized stacks; the inventory logging in with it on both
 * targets, and as the learner only where a learner's own inventory is asked for.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminAccess, automationKeyFile, ensureAutomationKey } from '../src/access/admin-access.js';
import { inventoryFromContainers, inventoryFromTerraformOutputs } from '../src/ansible/inventory.js';
import { checkSshPublicKey } from '../src/course/ssh-key.js';
import { loadCourse } from '../src/course/load.js';
import { synthCourse } from '../src/synth/synthesize.js';
import { courseYaml } from './helpers/course-yaml.js';

const temp = mkdtempSync(join(tmpdir(), 'resops-admin-access-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
let n = 0;

function course(options: Parameters<typeof courseYaml>[0] = {}) {
  const dir = mkdtempSync(join(temp, `c${++n}-`));
  const file = join(dir, 'course.yaml');
  writeFileSync(file, courseYaml({ id: `adm-${n}`, learners: 2, ...options }));
  return loadCourse(file);
}

const hasSshKeygen = spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error === undefined;

describe('the automation key', () => {
  it('is made once, 0600 in the state directory, as a key OpenSSH reads', () => {
    const c = course();
    const made = ensureAutomationKey(c);
    expect(made.privateKeyFile).toBe(automationKeyFile(c));
    expect(made.privateKeyFile.startsWith(join(c.dir, c.stateDir))).toBe(true);
    expect(statSync(made.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(checkSshPublicKey(made.publicKey).ok).toBe(true);
    expect(made.publicKey).toMatch(new RegExp(`^ecdsa-sha2-nistp256 \\S+ resops-automation@${c.id}$`));
    // Made once: the same key on every later call (a second `up` must not re-key every VM).
    expect(ensureAutomationKey(c)).toEqual(made);
    if (hasSshKeygen) {
      const derived = spawnSync('ssh-keygen', ['-y', '-f', made.privateKeyFile], { encoding: 'utf8' });
      expect(derived.status, derived.stderr).toBe(0);
      expect(derived.stdout.trim().split(' ').slice(0, 2)).toEqual(made.publicKey.split(' ').slice(0, 2));
    }
  });

  it('is not made when the course names the instructors\' key: that key is the admin login', () => {
    const withKey = course({ adminKey: true });
    expect(withKey.cloud.adminSshPublicKey).toBeDefined();
    const access = adminAccess(withKey);
    expect(access).toEqual({ user: withKey.cloud.imageUser, publicKey: withKey.cloud.adminSshPublicKey });
    expect(existsSync(automationKeyFile(withKey))).toBe(false);
  });

  it('goes into the synthesized stacks as its public half only: the admin key pair and every server\'s user data', () => {
    const c = course({ workers: 1, monitoring: true });
    const out = join(c.dir, 'cdktf.out');
    const synth = synthCourse(c, out);
    const { publicKey: line, privateKeyFile } = adminAccess(c);
    const body = readFileSync(privateKeyFile!, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    const texts = synth.stacks.map((s) => readFileSync(join(s.dir, 'cdk.tf.json'), 'utf8'));
    const all = texts.join('\n');
    expect(all).not.toContain(body.slice(0, 40));
    expect(all).not.toContain('PRIVATE KEY');
    const network = JSON.parse(texts[synth.stacks.findIndex((s) => s.kind === 'network')]!) as { resource: Record<string, Record<string, { public_key?: string }>> };
    expect(Object.values(network.resource.openstack_compute_keypair_v2 ?? {}).map((k) => k.public_key)).toContain(line);
    // Every server's cloud-init authorises it for the image's default user.
    const blob = line.split(' ')[1]!;
    for (const [i, stack] of synth.stacks.entries()) {
      if (stack.kind !== 'network') expect(texts[i]!.includes(blob), stack.name).toBe(true);
    }
    expect(readdirSync(join(c.dir, c.stateDir, 'automation')).sort()).toEqual(['id_ecdsa', 'id_ecdsa.pub']);
  });
});

describe('the inventory logs in as the course\'s admin user', () => {
  it('local: every VM as the admin user with the automation key, unless a learner\'s own inventory is asked for', () => {
    const c = course({ target: 'local' });
    const admin = { user: 'debian', privateKeyFile: '/state/automation/id_ecdsa' };
    const containers = [{ name: `${c.id}-learner1-vm1`, learner: 'learner1', sshPort: 2201, running: true }, { name: `${c.id}-learner2-vm1`, learner: 'learner2', sshPort: 2211, running: true }];
    const inv = inventoryFromContainers(c, containers, { keys: {}, admin });
    expect(inv.hosts.filter((h) => h.group === 'learners').map((h) => [h.vars.ansible_user, h.vars.ansible_ssh_private_key_file])).toEqual([['debian', admin.privateKeyFile], ['debian', admin.privateKeyFile]]);
    expect(inv.warnings).toEqual([]);
    const own = inventoryFromContainers(c, containers, { keys: { default: '/keys/mine' } });
    expect(own.hosts.filter((h) => h.group === 'learners').map((h) => [h.vars.ansible_user, h.vars.ansible_ssh_private_key_file])).toEqual([['learner1', '/keys/mine'], ['learner2', '/keys/mine']]);
  });

  it('openstack: learners, monitoring host and workers (through it) with the automation key, and no warning about admin_ssh_public_key', () => {
    const c = course({ target: 'openstack', workers: 1, monitoring: true });
    const admin = { user: 'debian', privateKeyFile: '/state/automation/id_ecdsa' };
    const inv = inventoryFromTerraformOutputs(c, {
      learners: { learner1: { vms: [{ name: `${c.id}-learner1-vm1`, address: '203.0.113.1', fixed_ip: '10.42.1.10' }] }, learner2: { vms: [{ name: `${c.id}-learner2-vm1`, address: '203.0.113.2', fixed_ip: '10.42.2.10' }] } },
      monitoring: { address: '203.0.113.200', fixed_ip: '10.42.0.5', ssh_user: 'debian' },
      pipeline: { workers: [{ name: `${c.id}-worker1`, fixed_ip: '10.42.0.11' }], storage: 'volume' },
    }, { keys: {}, knownHostsFile: '/state/ansible/known_hosts', admin });
    expect(inv.hosts.map((h) => [h.name, h.vars.ansible_user, h.vars.ansible_ssh_private_key_file])).toEqual([
      [`${c.id}-learner1-vm1`, 'debian', admin.privateKeyFile],
      [`${c.id}-learner2-vm1`, 'debian', admin.privateKeyFile],
      [`${c.id}-monitoring`, 'debian', admin.privateKeyFile],
      [`${c.id}-worker1`, 'debian', admin.privateKeyFile],
    ]);
    expect(String(inv.hosts.at(-1)!.vars.ansible_ssh_common_args)).toContain(`-i ${admin.privateKeyFile} debian@203.0.113.200`);
    expect(inv.warnings).toEqual([]);
  });
});
