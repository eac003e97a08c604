/**
 * The inventory of both targets: the pure transforms (from Terraform outputs, from Docker's
 * container list), its YAML, and `resops inventory` end to end on the openstack target with a
 * fake terraform (the real provider cannot be downloaded here) that answers `output -json`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { vmContainerOf } from '../src/ansible/collect-local.js';
import {
  inventoryFromContainers,
  inventoryFromTerraformOutputs,
  inventoryJson,
  keyFor,
  learnerGroup,
  renderInventory,
  type CourseOutputs,
  type InventoryHost,
} from '../src/ansible/inventory.js';
import { limitPattern, limitSelects, parseLimit } from '../src/ansible/limit.js';
import { loadCourseText } from '../src/course/load.js';
import { findExecutable } from '../src/local/base-image.js';
import { TargetError } from '../src/targets/driver.js';
import type { Course } from '../src/course/model.js';
import { courseYaml } from './helpers/course-yaml.js';

const root = join(import.meta.dirname, '..');
const temp = mkdtempSync(join(tmpdir(), 'resops-inventory-test-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function course(options: Parameters<typeof courseYaml>[0]): Course {
  return loadCourseText(courseYaml(options), 'course.yaml', temp);
}

/** What the stacks output once applied (stacks/*-stack.ts), for learners learner1..n. */
function outputs(c: Course, options: { monitoring?: boolean; skipLearner?: string } = {}): CourseOutputs {
  const learners: CourseOutputs['learners'] = {};
  c.learners.forEach((learner, i) => {
    if (learner.id === options.skipLearner) return;
    learners[learner.id] = {
      ssh_user: learner.id,
      vms: Array.from({ length: learner.vms }, (_, j) => ({
        name: `${c.id}-${learner.id}-vm${j + 1}`,
        address: `203.0.113.${10 * i + j + 1}`,
        fixed_ip: `10.42.${i + 1}.${j + 10}`,
      })),
    };
  });
  return {
    learners,
    ...(options.monitoring === false ? {} : { monitoring: { address: '203.0.113.200', fixed_ip: '10.42.0.5', ssh_user: 'debian' } }),
    pipeline: { workers: [{ name: `${c.id}-worker1`, fixed_ip: '10.42.0.11' }, { name: `${c.id}-worker2`, fixed_ip: '10.42.0.12' }], storage: 'volume' },
  };
}

const host = (hosts: InventoryHost[], name: string) => {
  const found = hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name} in ${hosts.map((h) => h.name).join(', ')}`);
  return found;
};

describe('inventory from Terraform outputs (openstack)', () => {
  const knownHostsFile = '/state/ansible/known_hosts';

  it('reaches learner VMs on their floating IP as the image user with the instructors\' key', () => {
    const c = course({ id: 'inv-a', learners: 2, vms: 2, adminKey: true, volumeGb: 10 });
    const inv = inventoryFromTerraformOutputs(c, outputs(c), { keys: { default: '/keys/admin' }, knownHostsFile });
    expect(inv.hosts.filter((h) => h.group === 'learners').map((h) => h.name)).toEqual(['inv-a-learner1-vm1', 'inv-a-learner1-vm2', 'inv-a-learner2-vm1', 'inv-a-learner2-vm2']);
    const vm = host(inv.hosts, 'inv-a-learner2-vm2');
    expect(vm.vars).toMatchObject({
      ansible_host: '203.0.113.12',
      ansible_port: 22,
      ansible_user: 'debian',
      ansible_ssh_private_key_file: '/keys/admin',
      resops_learner: 'learner2',
      resops_fixed_ip: '10.42.2.11',
      resops_vm: 'vm2',
      common_data_device: '/dev/vdb',
    });
    expect(vm.vars.resops_learner_ssh_public_key).toBe(c.learners[1]!.sshPublicKey);
    expect(vm.learner).toBe('learner2');
    expect(inv.vars).toMatchObject({ resops_course_id: 'inv-a', resops_target: 'openstack', ansible_ssh_common_args: expect.stringContaining(`UserKnownHostsFile=${knownHostsFile}`) });
    expect(inv.warnings).toEqual([]);
  });

  it('reaches workers through the monitoring host and gives worker 1 the shared volume', () => {
    const c = course({ id: 'inv-b', learners: 1, adminKey: true, workers: 2, storage: 'volume' });
    const inv = inventoryFromTerraformOutputs(c, outputs(c), { keys: { default: '/keys/admin' }, knownHostsFile });
    const monitoring = host(inv.hosts, 'inv-b-monitoring');
    expect(monitoring.group).toBe('monitoring');
    expect(monitoring.vars).toMatchObject({ ansible_host: '203.0.113.200', ansible_user: 'debian', resops_fixed_ip: '10.42.0.5' });
    const [w1, w2] = [host(inv.hosts, 'inv-b-worker1'), host(inv.hosts, 'inv-b-worker2')];
    expect(w1.group).toBe('workers');
    expect(w2.vars).toMatchObject({ ansible_host: '10.42.0.12', ansible_user: 'debian', resops_worker: 'worker2' });
    // Slurm's node list takes the flavor's size, not what a server sees of its host.
    expect(w2.vars).toMatchObject({ resops_vcpus: c.cloud.flavors.worker.vcpus, resops_ram_mb: c.cloud.flavors.worker.ramMb });
    expect(String(w2.vars.ansible_ssh_common_args)).toMatch(/ProxyCommand="ssh -W %h:%p -q .*-i \/keys\/admin debian@203\.0\.113\.200"/);
    expect(w1.vars).toMatchObject({ common_data_device: '/dev/vdb', common_data_mountpoint: '/srv/pipeline' });
    expect(w2.vars.common_data_device).toBeUndefined();
    expect(inv.groupVars.monitoring).toMatchObject({ prometheus_openstack_region: 'RegionOne', common_data_device: '/dev/vdb' });
  });

  it("files each server's host key under its ID, so a server Terraform replaced at the same address is trusted anew", () => {
    const c = course({ id: 'inv-k', learners: 1, adminKey: true, workers: 1 });
    const ids = { vm: '6f1c2a3e-0000-4000-8000-000000000001', monitoring: '6f1c2a3e-0000-4000-8000-000000000002', worker: '6f1c2a3e-0000-4000-8000-000000000003' };
    const out = outputs(c);
    (out.learners.learner1!.vms as Array<Record<string, string>>)[0]!.id = ids.vm;
    out.monitoring = { ...out.monitoring, id: ids.monitoring };
    out.pipeline = { workers: [{ name: 'inv-k-worker1', id: ids.worker, fixed_ip: '10.42.0.11' }] };
    const inv = inventoryFromTerraformOutputs(c, out, { keys: { default: '/keys/admin' }, knownHostsFile });
    const args = (name: string) => String(host(inv.hosts, name).vars.ansible_ssh_common_args);
    expect(args('inv-k-learner1-vm1')).toBe(`-o UserKnownHostsFile=${knownHostsFile} -o StrictHostKeyChecking=accept-new -o HostKeyAlias=${ids.vm}`);
    expect(args('inv-k-monitoring')).toContain(`-o HostKeyAlias=${ids.monitoring}`);
    // The worker under its own ID, and the jump inside its ProxyCommand under the monitoring host's.
    expect(args('inv-k-worker1')).toMatch(new RegExp(`^-o UserKnownHostsFile=\\S+ -o StrictHostKeyChecking=accept-new -o HostKeyAlias=${ids.worker} -o ProxyCommand="ssh -W %h:%p -q -o UserKnownHostsFile=\\S+ -o StrictHostKeyChecking=accept-new -o HostKeyAlias=${ids.monitoring} `));
    // Without IDs (stacks applied before they were outputs): the address, as before.
    const plain = inventoryFromTerraformOutputs(c, outputs(c), { keys: { default: '/keys/admin' }, knownHostsFile });
    expect(host(plain.hosts, 'inv-k-learner1-vm1').vars.ansible_ssh_common_args).toBeUndefined();
    expect(String(host(plain.hosts, 'inv-k-worker1').vars.ansible_ssh_common_args)).not.toContain('HostKeyAlias');
    // An ID that is no ID never reaches ssh's command line.
    out.monitoring = { ...out.monitoring, id: 'x -o ProxyCommand=evil' };
    expect(host(inventoryFromTerraformOutputs(c, out, { keys: {}, knownHostsFile }).hosts, 'inv-k-monitoring').vars.ansible_ssh_common_args).toBeUndefined();
  });

  it('without an admin key logs in as each learner with their own key, and says so', () => {
    const c = course({ id: 'inv-c', learners: 2, adminKey: false });
    const exists = (path: string) => path === '/keys/learners/learner1';
    const inv = inventoryFromTerraformOutputs(c, outputs(c), { keys: { default: '/keys/mine', learnerDir: '/keys/learners' }, knownHostsFile, exists });
    expect(host(inv.hosts, 'inv-c-learner1-vm1').vars).toMatchObject({ ansible_user: 'learner1', ansible_ssh_private_key_file: '/keys/learners/learner1' });
    // No key file for learner2: the default key is the fallback.
    expect(host(inv.hosts, 'inv-c-learner2-vm1').vars).toMatchObject({ ansible_user: 'learner2', ansible_ssh_private_key_file: '/keys/mine' });
    expect(inv.warnings.join('\n')).toContain('cloud.admin_ssh_public_key is not set');
  });

  it('leaves out what is not deployed, with a warning for each', () => {
    const c = course({ id: 'inv-d', learners: 2, adminKey: true, workers: 2 });
    const inv = inventoryFromTerraformOutputs(c, outputs(c, { monitoring: false, skipLearner: 'learner2' }), { keys: { default: '/k' }, knownHostsFile });
    expect(inv.hosts.map((h) => h.name)).toEqual(['inv-d-learner1-vm1']);
    expect(inv.warnings.join('\n')).toMatch(/learner learner2: no `vms` output/);
    expect(inv.warnings.join('\n')).toMatch(/monitoring: no `address` output/);
    expect(inv.warnings.join('\n')).toMatch(/workers left out/);
  });

  it('renders YAML grouped by role and by learner, with key paths and no key material', () => {
    const c = course({ id: 'inv-e', learners: 2, vms: 2, adminKey: true, workers: 2 });
    const text = renderInventory(inventoryFromTerraformOutputs(c, outputs(c), { keys: { default: '/keys/admin' }, knownHostsFile }));
    const doc = parse(text) as { all: { vars: Record<string, unknown>; children: Record<string, { hosts?: Record<string, Record<string, unknown> | null>; vars?: Record<string, unknown> }> } };
    const groups = doc.all.children;
    expect(Object.keys(groups)).toEqual(['learners', 'monitoring', 'workers', 'controller', 'learner_learner1', 'learner_learner2']);
    expect(Object.keys(groups.learners!.hosts!)).toHaveLength(4);
    expect(groups.learner_learner2!.hosts).toEqual({ 'inv-e-learner2-vm1': null, 'inv-e-learner2-vm2': null });
    expect(Object.keys(groups.workers!.hosts!)).toEqual(['inv-e-worker1', 'inv-e-worker2']);
    expect(groups.monitoring!.vars).toMatchObject({ prometheus_storage_path: '/srv/data/prometheus' });
    expect(groups.learners!.hosts!['inv-e-learner1-vm2']).toMatchObject({ ansible_host: '203.0.113.2', ansible_ssh_private_key_file: '/keys/admin' });
    expect(text).not.toMatch(/PRIVATE KEY/);
  });

  it('gives --json each host with its groups and variables', () => {
    const c = course({ id: 'inv-j', learners: 1, adminKey: true, workers: 0, monitoring: false });
    const json = inventoryJson(inventoryFromTerraformOutputs(c, outputs(c, { monitoring: false }), { keys: { default: '/k' }, knownHostsFile }));
    expect(json).toMatchObject({ course: 'inv-j', target: 'openstack', warnings: [] });
    expect(json.hosts).toEqual([{ name: 'inv-j-learner1-vm1', groups: ['learners', 'learner_learner1'], vars: expect.objectContaining({ ansible_host: '203.0.113.1' }) }]);
  });
});

describe('inventory from Docker (local)', () => {
  const c = loadCourseText(courseYaml({ id: 'inv-l', learners: 2, vms: 2, target: 'local', monitoring: true, workers: 0 }), 'course.yaml', temp);

  it('reaches each VM container on its published port as the learner', () => {
    const containers = [
      { name: 'inv-l-learner1-vm1', learner: 'learner1', sshPort: 2201, running: true, monitoringIp: '10.42.255.3' },
      { name: 'inv-l-learner1-vm2', learner: 'learner1', sshPort: 2202, running: true, monitoringIp: '10.42.255.4' },
      { name: 'inv-l-learner2-vm1', learner: 'learner2', sshPort: 2211, running: true, monitoringIp: '10.42.255.5' },
      { name: 'inv-l-learner2-vm2', learner: 'learner2', sshPort: 2212, running: false },
    ];
    const exists = (path: string) => path === '/keys/learner2';
    const inv = inventoryFromContainers(c, containers, { keys: { default: '/keys/me', learnerDir: '/keys' }, exists });
    expect(inv.hosts.filter((h) => h.group === 'learners').map((h) => h.name)).toEqual(['inv-l-learner1-vm1', 'inv-l-learner1-vm2', 'inv-l-learner2-vm1']);
    expect(host(inv.hosts, 'inv-l-learner1-vm2').vars).toMatchObject({
      ansible_host: '127.0.0.1',
      ansible_port: 2202,
      ansible_user: 'learner1',
      ansible_ssh_private_key_file: '/keys/me',
      node_exporter_listen_address: '10.42.255.4:9100',
      resops_scrape: { targets: ['inv-l-learner1-vm2:9100'], labels: { course: 'inv-l', learner: 'learner1', vm: 'vm2' } },
    });
    expect(host(inv.hosts, 'inv-l-learner2-vm1').vars.ansible_ssh_private_key_file).toBe('/keys/learner2');
    expect(inv.warnings).toEqual(['inv-l-learner2-vm2: not running; skipped']);
    // Monitoring on: this machine configures the service containers through their APIs.
    expect(host(inv.hosts, 'localhost')).toMatchObject({ group: 'controller', vars: { ansible_connection: 'local' } });
    expect(inv.vars).toMatchObject({ resops_target: 'local', resops_local_gnocchi_port: c.local.ports.gnocchi });
  });

  it('reads what it needs from Docker\'s container list', () => {
    const info = {
      Names: ['/inv-l-learner1-vm1'],
      Labels: { 'resops.course': 'inv-l', 'resops.learner': 'learner1', 'resops.role': 'learner' },
      State: 'running',
      Ports: [{ IP: '127.0.0.1', PrivatePort: 22, PublicPort: 2201, Type: 'tcp' }, { PrivatePort: 9100, Type: 'tcp' }],
      NetworkSettings: { Networks: { 'inv-l-learner1': { IPAddress: '10.42.1.2' }, 'inv-l-monitoring': { IPAddress: '10.42.255.3' } } },
    } as unknown as Docker.ContainerInfo;
    expect(vmContainerOf(info, 'inv-l-monitoring')).toEqual({ name: 'inv-l-learner1-vm1', learner: 'learner1', sshPort: 2201, running: true, monitoringIp: '10.42.255.3' });
    expect(vmContainerOf({ ...info, State: 'exited', Ports: [] } as Docker.ContainerInfo, 'other')).toEqual({ name: 'inv-l-learner1-vm1', learner: 'learner1', running: false });
  });

  it('names learner groups as Ansible identifiers and picks per-learner keys only when the file exists', () => {
    expect(learnerGroup('jean-luc')).toBe('learner_jean_luc');
    expect(keyFor({ default: '/d', learnerDir: '/k/' }, 'alice', (p) => p === '/k/alice')).toBe('/k/alice');
    expect(keyFor({ default: '/d', learnerDir: '/k' }, 'bob', () => false)).toBe('/d');
    expect(keyFor({}, 'bob', () => true)).toBeUndefined();
  });
});

describe('resops inventory (openstack, fake terraform)', () => {
  function resops(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ['bin/resops.mjs', ...args], { cwd: root, timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  it('reads each stack\'s `terraform output -json` and writes the inventory file', async () => {
    const dir = join(temp, 'fake-tf');
    const bin = join(dir, 'bin');
    const answers = join(dir, 'outputs');
    mkdirSync(bin, { recursive: true });
    mkdirSync(answers, { recursive: true });
    // Answers `output -json` per stack directory, like terraform after an apply; `init` is a no-op.
    writeFileSync(
      join(bin, 'terraform'),
      '#!/bin/sh\ncase "$1" in\n  init) exit 0 ;;\n  output) f="$FAKE_TF_OUTPUTS/$(basename "$PWD").json"; if [ -f "$f" ]; then cat "$f"; else echo "{}"; fi ;;\n  *) echo "fake terraform: $*" >&2; exit 1 ;;\nesac\n',
    );
    chmodSync(join(bin, 'terraform'), 0o755);
    const c = course({ id: 'inv-cli', learners: 2, adminKey: true, workers: 1 });
    writeFileSync(join(dir, 'course.yaml'), courseYaml({ id: 'inv-cli', learners: 2, adminKey: true, workers: 1 }));
    const values = outputs(c);
    const asTerraform = (record: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, { sensitive: false, value: v }])));
    writeFileSync(join(answers, 'inv-cli-learner-learner1.json'), asTerraform(values.learners.learner1!));
    // learner2's stack was never applied: terraform prints {}.
    writeFileSync(join(answers, 'inv-cli-monitoring.json'), asTerraform(values.monitoring!));
    writeFileSync(join(answers, 'inv-cli-pipeline.json'), asTerraform({ ...values.pipeline!, workers: [{ name: 'inv-cli-worker1', fixed_ip: '10.42.0.11' }] }));
    const key = join(dir, 'admin-key');
    writeFileSync(key, 'not read: only its path goes into the inventory\n', { mode: 0o600 });

    const out = join(dir, 'inventory.yml');
    const env = { PATH: `${bin}:${process.env.PATH}`, FAKE_TF_OUTPUTS: answers };
    const run = await resops(['inventory', join(dir, 'course.yaml'), '--stacks', join(dir, 'cdktf.out'), '--key', key, '--out', out], env);
    expect(run.stderr).toContain('learner learner2: no `vms` output');
    expect(run.code).toBe(0);
    const doc = parse((await import('node:fs')).readFileSync(out, 'utf8')) as { all: { children: Record<string, { hosts?: Record<string, Record<string, unknown> | null> }> } };
    expect(Object.keys(doc.all.children.learners!.hosts!)).toEqual(['inv-cli-learner1-vm1']);
    expect(doc.all.children.learners!.hosts!['inv-cli-learner1-vm1']).toMatchObject({ ansible_host: '203.0.113.1', ansible_ssh_private_key_file: key });
    expect(Object.keys(doc.all.children.workers!.hosts!)).toEqual(['inv-cli-worker1']);

    const missingKey = await resops(['inventory', join(dir, 'course.yaml'), '--stacks', join(dir, 'cdktf.out'), '--key', join(dir, 'nope')], env);
    expect(missingKey.code).toBe(1);
    expect(missingKey.stderr).toContain(`--key ${join(dir, 'nope')}: no such file`);
    expect(missingKey.stdout).toBe('');

    // A learner's own inventory names their VMs only: no classmate's, no shared machine.
    const own = await resops(['inventory', join(dir, 'course.yaml'), '--stacks', join(dir, 'cdktf.out'), '--as-learner', '--learner', 'learner1', '--key', key, '--json'], env);
    expect(own.code, own.stderr).toBe(0);
    const hosts = (JSON.parse(own.stdout) as { hosts: Array<{ name: string; groups: string[] }> }).hosts;
    expect(hosts.map((h) => [h.name, h.groups])).toEqual([['inv-cli-learner1-vm1', ['learners', 'learner_learner1']]]);
    const nobody = await resops(['inventory', join(dir, 'course.yaml'), '--stacks', join(dir, 'cdktf.out'), '--learner', 'nobody'], env);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('--learner nobody: no such learner in');
    expect(nobody.stdout).toBe('');
  }, 60_000);
});

describe('configure --limit: learners and the shared machines', () => {
  const c = course({ id: 'lim', learners: 3, vms: 2, workers: 2, target: 'openstack' });
  const inventory = inventoryFromTerraformOutputs(c, outputs(c), { keys: {}, knownHostsFile: '/k' });
  const chosen = (value: string) => inventory.hosts.filter((h) => limitSelects(parseLimit(value, c), h)).map((h) => h.name).sort();

  it('selects a learner\'s VMs, the monitoring host, the workers, in any union', () => {
    expect(chosen('learner2')).toEqual(['lim-learner2-vm1', 'lim-learner2-vm2']);
    expect(chosen('monitoring')).toEqual(['lim-monitoring']);
    expect(chosen('learner1, monitoring,workers')).toEqual(['lim-learner1-vm1', 'lim-learner1-vm2', 'lim-monitoring', 'lim-worker1', 'lim-worker2']);
  });

  it('refuses what the course does not have, naming what it has (exit 2, invalid flag)', () => {
    const refused = (value: string) => {
      try {
        parseLimit(value, c);
      } catch (error) {
        return { message: (error as TargetError).message, hint: (error as TargetError).hint, exit: (error as TargetError).exitCode };
      }
      return undefined;
    };
    expect(refused('learner1,mallory')).toEqual({
      message: '--limit learner1,mallory: no learner `mallory` in course lim',
      hint: 'name learners (learner1, learner2, learner3) or the shared machines (monitoring, workers), separated by commas',
      exit: 2,
    });
    expect(refused(' , ')?.message).toBe('--limit: names nothing');
    // A learner cannot be called like a shared group.
    expect(() => loadCourseText(courseYaml({ id: 'lim2', learners: 1 }).replace('id: learner1', 'id: workers'), 'course.yaml', temp)).toThrow(/learners\[0\]\.id[^\n]*workers/);
  });

  it.skipIf(!findExecutable('ansible'))('Ansible reads the pattern as the same hosts (ansible --list-hosts on the rendered inventory)', async () => {
    const file = join(temp, 'limit-inventory.yml');
    writeFileSync(file, renderInventory(inventory));
    for (const value of ['learner2', 'monitoring', 'learner1,monitoring,workers']) {
      const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
        execFile('ansible', ['-i', file, '--list-hosts', limitPattern(parseLimit(value, c))], (error, out) => (error ? reject(error) : resolve({ stdout: out }))),
      );
      const listed = stdout.split('\n').slice(1).map((l) => l.trim()).filter(Boolean).sort();
      expect(listed, value).toEqual(chosen(value));
    }
  }, 60_000);
});
