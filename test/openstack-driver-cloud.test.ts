/**
 * The openstack driver's cloud side without a cloud: grouping and rendering of `status`'s server
 * view, the leak check's report, the client errors turned into TargetErrors, reading Terraform
 * state without terraform, and `down` / `status` driven with a fake cloud API and a fake
 * terraform binary (the real-cloud versions are in openstack-cloud.test.ts).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Course } from '../src/course/model.js';
import type { Leftover, SweepOptions } from '../src/openstack/leftovers.js';
import type { CourseServer } from '../src/openstack/servers.js';
import { AuthenticationError, CloudUnreachableError, NoCloudConfiguredError, OpenStackApiError } from '../src/openstack/errors.js';
import type { SynthesizedStack, SynthResult } from '../src/synth/synthesize.js';
import { groupServersByLearner, renderServersByOwner, serversJson } from '../src/targets/cloud-servers-view.js';
import { askCloud, cloudTargetError, type CourseCloudApi } from '../src/targets/course-cloud.js';
import { TargetError } from '../src/targets/driver.js';
import { renderLeakCheck, type LeakCheckResult } from '../src/targets/leak-check.js';
import { createOpenstackDriver, type DownReport } from '../src/targets/openstack-driver.js';
import { inspectStackState, nothingToDestroy } from '../src/terraform/state.js';
import { runStacks } from '../src/terraform/runner.js';

function server(name: string, fields: Partial<CourseServer> = {}): CourseServer {
  return { id: `id-${name}`, name, status: 'ACTIVE', fixedAddresses: [], floatingAddresses: [], flavor: 'm1.small', ...fields };
}

function leftover(kind: Leftover['kind'], name: string, fields: Partial<Leftover> = {}): Leftover {
  return { kind, id: `id-${name}`, name, matchedBy: 'label', ...fields };
}

describe('status: servers grouped per learner', () => {
  const servers = [
    server('c-alice-vm1', { learner: 'alice', role: 'learner', fixedAddresses: ['c-net=10.42.1.5'], floatingAddresses: ['203.0.113.12'] }),
    server('c-alice-vm2', { learner: 'alice', role: 'learner', status: 'ERROR', fault: 'No valid host was found.' }),
    server('c-monitoring', { role: 'monitoring', fixedAddresses: ['c-net=10.42.0.10'] }),
    server('c-worker1', { role: 'worker' }),
    server('c-zed-vm1', { learner: 'zed', role: 'learner' }),
    server('c-handmade'),
  ];

  it('keeps roster order, shows learners without servers, stale learners and shared servers by role', () => {
    const groups = groupServersByLearner(servers, ['bob', 'alice']);
    expect(groups.learners.map((g) => [g.learner, g.inCourse, g.servers.map((s) => s.name)])).toEqual([
      ['bob', true, []],
      ['alice', true, ['c-alice-vm1', 'c-alice-vm2']],
      ['zed', false, ['c-zed-vm1']],
    ]);
    expect(groups.shared.map((g) => [g.role, g.servers.map((s) => s.name)])).toEqual([
      ['monitoring', ['c-monitoring']],
      ['unlabelled', ['c-handmade']],
      ['worker', ['c-worker1']],
    ]);
  });

  it('with --learner, shows that learner alone', () => {
    const groups = groupServersByLearner(servers, ['bob', 'alice'], 'alice');
    expect(groups.learners.map((g) => g.learner)).toEqual(['alice']);
    expect(groups.shared).toEqual([]);
  });

  it('renders one row per server with status, fault and fixed then floating addresses', () => {
    const lines = renderServersByOwner(groupServersByLearner(servers, ['bob', 'alice']));
    expect(lines[0]).toMatch(/^learner\s+server\s+status\s+addresses$/);
    const row = (name: string) => lines.find((l) => l.includes(name)) ?? '';
    expect(lines.find((l) => l.startsWith('bob'))).toMatch(/^bob\s+\(no servers\)$/);
    expect(row('c-alice-vm1')).toMatch(/^alice\s+c-alice-vm1\s+ACTIVE\s+c-net=10\.42\.1\.5 203\.0\.113\.12 \(floating\)$/);
    // The learner is named once, on the first of their servers.
    expect(row('c-alice-vm2')).toMatch(/^\s+c-alice-vm2\s+ERROR: No valid host was found\.\s+\(none\)$/);
    expect(row('c-zed-vm1')).toMatch(/^zed \(not in the course file\)\s+c-zed-vm1/);
    expect(row('c-monitoring')).toMatch(/^\(monitoring\)\s+c-monitoring\s+ACTIVE\s+c-net=10\.42\.0\.10$/);
  });

  it('gives JSON per learner and per shared role, with the cloud', () => {
    const json = serversJson('teaching', groupServersByLearner(servers, ['alice'], 'alice')) as {
      cloud: string;
      learners: Array<{ learner: string; servers: Array<Record<string, unknown>> }>;
    };
    expect(json.cloud).toBe('teaching');
    expect(json.learners[0]!.servers[0]).toEqual({
      name: 'c-alice-vm1', id: 'id-c-alice-vm1', status: 'ACTIVE', role: 'learner', flavor: 'm1.small',
      fixedAddresses: ['c-net=10.42.1.5'], floatingAddresses: ['203.0.113.12'],
    });
    expect(json.learners[0]!.servers[1]).toMatchObject({ status: 'ERROR', fault: 'No valid host was found.' });
  });
});

describe('down: the leak check report', () => {
  const base = { cloud: 'teaching', course: 'c' };
  const sweep = 'resops down course.yaml --target openstack --sweep';

  it('says nothing is left when the check is clean', () => {
    const lines = renderLeakCheck({ ...base, before: [], after: [], clean: true }, sweep);
    expect(lines.at(-1)).toBe('✔ nothing carrying the course\'s metadata (resops-course=c) or name prefix (c-) is left in cloud "teaching", and Keystone holds no user or credential of it');
  });

  it('lists every leftover and the command that sweeps them', () => {
    const left = [leftover('server', 'c-alice-vm1', { detail: 'ACTIVE' }), leftover('keypair', 'c-alice-key', { matchedBy: 'name' })];
    const lines = renderLeakCheck({ ...base, before: left, after: left, clean: false }, sweep);
    expect(lines).toContain('✖ 2 resources of c left:');
    expect(lines.some((l) => /^ {2}server\s+c-alice-vm1 \(ACTIVE\) {2}id id-c-alice-vm1 {2}matched by course label$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}keypair\s+c-alice-key .*matched by name prefix$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`hint: \`${sweep}\` deletes them, in dependency order`);
  });

  it('after a sweep, reports what was found, deleted, failed and is still left', () => {
    const vol = leftover('volume', 'c-data');
    const result: LeakCheckResult = {
      ...base,
      before: [leftover('port', 'c-port'), vol],
      swept: { deleted: [leftover('port', 'c-port')], failed: [{ leftover: vol, error: 'volume c-data is still attached' }] },
      after: [vol],
      clean: false,
    };
    const lines = renderLeakCheck(result, sweep);
    expect(lines).toContain('found 2 resources after destroy:');
    expect(lines).toContain('swept: 1 deleted, 1 failed');
    expect(lines).toContain('  could not delete volume c-data: volume c-data is still attached');
    expect(lines).toContain('✖ 1 resource of c still left after the sweep:');
    expect(lines.join('\n')).not.toContain(sweep);
  });
});

describe('cloud failures become TargetErrors naming the cloud and the call', () => {
  it('adds a hint fitting each failure', () => {
    const cases: Array<[Error, RegExp]> = [
      [new NoCloudConfiguredError('no credentials for cloud "teaching" (looked in ./clouds.yaml)'), /add an entry "teaching" to clouds\.yaml.*OS_CLOUD=resops-local/],
      [new AuthenticationError('teaching', '/etc/openstack/clouds.yaml', 'The request you have made requires authentication.'), /check the credentials of "teaching"/],
      [new CloudUnreachableError('Keystone (identity)', 'http://127.0.0.1:1/v3', 'connection refused', 'teaching'), /answers from this machine/],
      [new OpenStackApiError('Nova (compute)', 'GET /servers/detail', 403, 'Policy does not allow', 'teaching'), /member of the course's project/],
      [new OpenStackApiError('Nova (compute)', 'GET /servers/detail', 503, 'unavailable', 'teaching'), /try again/],
    ];
    for (const [error, hint] of cases) {
      const converted = cloudTargetError('teaching', 'listing the course\'s servers', error);
      expect(converted).toBeInstanceOf(TargetError);
      expect((converted as TargetError).message).toBe(`cloud "teaching", listing the course's servers: ${error.message}`);
      expect((converted as TargetError).hint).toMatch(hint);
    }
  });

  it('lets anything else (a bug) through unchanged', async () => {
    const bug = new TypeError('x is undefined');
    await expect(askCloud('teaching', 'connecting', () => Promise.reject(bug))).rejects.toBe(bug);
  });
});

describe('reading a stack\'s Terraform state without terraform', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'resops-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (backend: unknown) => writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ terraform: { backend } }));
  const state = (resources: unknown[]) => writeFileSync(join(dir, 's.tfstate'), JSON.stringify({ version: 4, resources }));

  it('follows the local backend\'s relative path and counts managed resources only', () => {
    config({ local: { path: 's.tfstate' } });
    expect(inspectStackState(dir)).toEqual({ kind: 'absent', file: join(dir, 's.tfstate') });
    expect(nothingToDestroy(dir)).toMatch(/no state file/);
    state([{ mode: 'data', type: 'openstack_images_image_v2', instances: [{}] }]);
    expect(inspectStackState(dir).kind).toBe('empty');
    expect(nothingToDestroy(dir)).toMatch(/holds no resources/);
    state([{ mode: 'managed', instances: [{}] }, { mode: 'managed', instances: [] }, { mode: 'data', instances: [{}] }]);
    expect(inspectStackState(dir)).toEqual({ kind: 'resources', file: join(dir, 's.tfstate'), count: 1 });
    expect(nothingToDestroy(dir)).toBeUndefined();
  });

  it('leaves remote backends and unreadable files to terraform', () => {
    expect(inspectStackState(dir).kind).toBe('unknown');
    config({ s3: { bucket: 'b' } });
    expect(inspectStackState(dir)).toEqual({ kind: 'unknown', reason: 'state is kept in a s3 backend' });
    config({ local: { path: 's.tfstate' } });
    writeFileSync(join(dir, 's.tfstate'), '{ not json');
    expect(inspectStackState(dir).kind).toBe('unknown');
    expect(nothingToDestroy(dir)).toBeUndefined();
  });
});

const FAKE_TERRAFORM = `#!/bin/sh
echo "$(basename "$PWD") $1" >> "$(dirname "$0")/calls.log"
[ "$1" = output ] && echo '{}'
exit 0
`;

describe('the driver with a fake cloud and a fake terraform', () => {
  let root: string;
  let binary: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'resops-driver-cloud-'));
    mkdirSync(join(root, 'bin'));
    binary = join(root, 'bin', 'terraform');
    writeFileSync(binary, FAKE_TERRAFORM);
    chmodSync(binary, 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const terraformCalls = () => (existsSync(join(root, 'bin', 'calls.log')) ? readFileSync(join(root, 'bin', 'calls.log'), 'utf8').trim().split('\n') : []);

  /** Stacks with a local backend like the real ones; `applied` ones get a state with one resource. */
  function synthWithState(applied: string[]): SynthResult {
    const stack = (name: string, kind: SynthesizedStack['kind'], dependsOn: string[], learnerId?: string): SynthesizedStack => {
      const dir = join(root, 'out', 'stacks', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: `../../../state/${name}.tfstate` } } } }));
      if (applied.includes(name)) {
        mkdirSync(join(root, 'state'), { recursive: true });
        writeFileSync(join(root, 'state', `${name}.tfstate`), JSON.stringify({ resources: [{ mode: 'managed', instances: [{}] }] }));
      }
      return { name, kind, dir, dependsOn, ...(learnerId ? { learnerId } : {}) };
    };
    return {
      outDir: join(root, 'out'),
      stacks: [stack('c-network', 'network', []), stack('c-learner-alice', 'learner', ['c-network'], 'alice'), stack('c-learner-bob', 'learner', ['c-network'], 'bob')],
    };
  }

  const course = { id: 'c', file: 'course.yaml', dir: tmpdir(), stateDir: 'resops-driver-test-no-state', cloud: { name: 'teaching' }, learners: [{ id: 'alice' }, { id: 'bob' }], accounts: { mode: 'shared-project' } } as Course;

  /** A project holding `left` until swept; the sweep deletes all but `stuck`. */
  function fakeCloud(left: Leftover[], stuck: string[] = []) {
    let project = [...left];
    const sweeps: Leftover[][] = [];
    const api: CourseCloudApi = {
      connect: async (name) => `client of ${name}`,
      listCourseServers: async () => [server('c-alice-vm1', { learner: 'alice', fixedAddresses: ['c-net=10.42.1.5'] })],
      findLeftovers: async () => project,
      sweepLeftovers: async (_cloud, _course, options?: SweepOptions) => {
        const asked = options?.leftovers ?? project;
        sweeps.push(asked);
        const deleted = asked.filter((l) => !stuck.includes(l.name));
        for (const l of deleted) options?.onProgress?.(`deleted ${l.kind} ${l.name}`);
        project = project.filter((l) => stuck.includes(l.name));
        return { deleted, failed: asked.filter((l) => stuck.includes(l.name)).map((l) => ({ leftover: l, error: 'in use' })), remaining: project };
      },
      readQuota: async () => {
        throw new Error('the quota is not read by status or down');
      },
      // No request leaves this test: SSH "answers" everywhere, Prometheus has no targets.
      healthProbes: () => ({
        guard: async () => undefined,
        ssh: async (address) => ({ check: `SSH answers on ${address}:22`, ok: true, detail: 'SSH-2.0-fake' }),
        nodeUp: async () => ({ up: new Map() }),
      }),
    };
    return { api, sweeps };
  }

  function driverWith(api: CourseCloudApi, synth: SynthResult) {
    const out: string[] = [];
    const progress: string[] = [];
    const steps: string[] = [];
    const driver = createOpenstackDriver({ synth: () => synth, resolve: () => binary, out: (l) => out.push(l), progress: (l) => progress.push(l), steps: (l) => steps.push(l), cloud: api });
    return { driver, out, progress, steps };
  }

  it('runner: a stack with nothing to do counts as done, so what it depends on still runs after it', async () => {
    const synth = synthWithState(['c-network']);
    const report = await runStacks(synth, 'destroy', { binary, log: () => {}, nothingToDo: (s) => nothingToDestroy(s.dir) });
    expect(report.ok).toBe(true);
    expect(report.outcomes.map((o) => [o.stack, o.status, o.reason ?? ''])).toEqual([
      ['c-learner-bob', 'ok', 'nothing to destroy: no state file, never applied here'],
      ['c-learner-alice', 'ok', 'nothing to destroy: no state file, never applied here'],
      ['c-network', 'ok', ''],
    ]);
    expect(terraformCalls()).toEqual(['c-network init', 'c-network destroy']);
  });

  it('down: skips never-applied stacks, lists the leftovers and exits 1', async () => {
    const left = [leftover('server', 'c-alice-vm1'), leftover('keypair', 'c-alice-key', { matchedBy: 'name' })];
    const { api, sweeps } = fakeCloud(left);
    const { driver, out } = driverWith(api, synthWithState([]));
    expect(await driver.down(course, { json: false })).toBe(1);
    expect(terraformCalls()).toEqual([]);
    const text = out.join('\n');
    expect(text).toMatch(/c-network\s+ok\s+\S+\s+nothing to destroy: no state file/);
    expect(text).toContain('✖ 2 resources of c left:');
    expect(text).toContain('hint: `resops down course.yaml --target openstack --sweep` deletes them');
    expect(sweeps).toEqual([]);
  });

  it('down --sweep --json: sweeps exactly what it found, reports before, swept, after and clean', async () => {
    const left = [leftover('server', 'c-alice-vm1'), leftover('network', 'c-net')];
    const { api, sweeps } = fakeCloud(left);
    const { driver, out, steps } = driverWith(api, synthWithState(['c-network']));
    expect(await driver.down(course, { json: true, sweep: true })).toBe(0);
    expect(sweeps).toEqual([left]);
    expect(steps).toEqual(['sweeping 2 leftovers of c from cloud "teaching" …', 'deleted server c-alice-vm1', 'deleted network c-net']);
    const report = JSON.parse(out.join('\n')) as DownReport;
    expect(report.ok).toBe(true);
    expect(report.outcomes.map((o) => o.stack)).toEqual(['c-learner-bob', 'c-learner-alice', 'c-network']);
    expect(report.leakCheck).toEqual({ cloud: 'teaching', course: 'c', before: left, swept: { deleted: left, failed: [] }, after: [], clean: true });
  });

  it('down: servers no stack of the course made on its subnets are refused before terraform runs; --sweep deletes them first when they carry the course prefix', async () => {
    const { api } = fakeCloud([]);
    const asked: Array<string | undefined> = [];
    const deleted: string[] = [];
    api.subnetHolders = async (_client, _course, learner) => {
      asked.push(learner);
      return deleted.length ? [] : [{ id: 's1', name: 'c-alice-web', subnets: ['c-alice-subnet'] }];
    };
    api.deleteSubnetHolders = async (_client, servers) => {
      deleted.push(...servers.map((s) => s.name));
    };
    const { driver, out } = driverWith(api, synthWithState(['c-network']));
    const error = (await driver.down(course, { json: false, learner: 'alice' }).catch((e: unknown) => e)) as TargetError;
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toBe('c-alice-web (s1, on c-alice-subnet): no stack of course c made this server, and Neutron cannot delete a subnet while it is on it (Terraform would retry for ten minutes); nothing was destroyed');
    expect(error.hint).toBe('destroy what made it first (a learner\'s own stack of exercise 01: `terraform destroy` in its cdktf.out/stacks/web), or add --sweep to delete it');
    expect(terraformCalls()).toEqual([]);
    expect(out).toEqual([]);
    expect(asked).toEqual(['alice']);

    expect(await driver.down(course, { json: true, sweep: true })).toBe(0);
    expect(deleted).toEqual(['c-alice-web']);
    expect(asked).toEqual(['alice', undefined]);
    expect(terraformCalls()).toEqual(['c-network init', 'c-network destroy']);

    // A server without the course's prefix is nobody's to sweep: refused even with --sweep.
    api.subnetHolders = async () => [{ id: 's2', name: 'hand-made', subnets: ['c-bob-subnet'] }];
    const other = (await driver.down(course, { json: false, sweep: true }).catch((e: unknown) => e)) as TargetError;
    expect(other.message).toMatch(/^hand-made \(s2, on c-bob-subnet\): no stack of course c made this server/);
    expect(other.hint).not.toContain('--sweep');
  });

  it("down: a full down deletes Prometheus' discovery credential and says so; down --learner leaves it; a refusal is reported with its hint and exits 1", async () => {
    const { api } = fakeCloud([]);
    const asked: string[] = [];
    let answer: () => Promise<string | undefined> = async () => "deleted Prometheus' discovery credential resops-c-discovery (application credential ac1)";
    api.deleteDiscoveryCredential = async (client, c) => {
      asked.push(`${String(client)} ${c.id}`);
      return answer();
    };
    const { driver, out } = driverWith(api, synthWithState([]));
    expect(await driver.down(course, { json: false, learner: 'alice' })).toBe(0);
    expect(asked).toEqual([]);
    expect(await driver.down(course, { json: false })).toBe(0);
    expect(asked).toEqual(['client of teaching c']);
    expect(out).toContain("✔ deleted Prometheus' discovery credential resops-c-discovery (application credential ac1)");
    answer = async () => {
      throw new TargetError('cloud "teaching" refused to delete Prometheus\' discovery credential resops-c-discovery', '`openstack application credential delete ac1`');
    };
    out.length = 0;
    expect(await driver.down(course, { json: true })).toBe(1);
    expect((JSON.parse(out.join('\n')) as DownReport).discoveryCredential).toEqual({
      error: 'cloud "teaching" refused to delete Prometheus\' discovery credential resops-c-discovery',
      hint: '`openstack application credential delete ac1`',
    });
  });

  it('down --sweep exits 1 when something survives the sweep', async () => {
    const { api } = fakeCloud([leftover('port', 'c-port'), leftover('volume', 'c-data')], ['c-data']);
    const { driver, out } = driverWith(api, synthWithState([]));
    expect(await driver.down(course, { json: false, sweep: true })).toBe(1);
    expect(out).toContain('swept: 1 deleted, 1 failed');
    expect(out).toContain('✖ 1 resource of c still left after the sweep:');
  });

  it('down: a cloud that cannot be asked still gets the destroy report out, then a TargetError with a hint', async () => {
    const { api } = fakeCloud([]);
    api.connect = async () => {
      throw new CloudUnreachableError('Keystone (identity)', 'http://127.0.0.1:1/v3', 'connection refused', 'teaching');
    };
    const { driver, out } = driverWith(api, synthWithState([]));
    const error = await driver.down(course, { json: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).message).toBe('cloud "teaching", connecting for the leak check: cannot reach Keystone (identity) of cloud "teaching" at http://127.0.0.1:1/v3: connection refused');
    const report = JSON.parse(out.join('\n')) as DownReport;
    expect(report.leakCheck).toMatchObject({ cloud: 'teaching', clean: false, error: (error as Error).message, hint: expect.stringContaining('resops cloud status') });
  });

  it('status: the cloud section shows servers per learner; never-applied stacks are not asked', async () => {
    const { api } = fakeCloud([]);
    const { driver, out } = driverWith(api, synthWithState([]));
    expect(await driver.status(course, { json: false })).toBe(0);
    expect(terraformCalls()).toEqual([]);
    const text = out.join('\n');
    expect(text).toMatch(/alice\s+not deployed \(no state file\)/);
    expect(text).toContain('cloud servers (what cloud "teaching" reports for c)');
    expect(text).toMatch(/alice\s+c-alice-vm1\s+ACTIVE\s+c-net=10\.42\.1\.5/);
    expect(text).toMatch(/bob\s+\(no servers\)/);
    expect(text).toMatch(/server health[^\n]*\n\s+owner\s+server\s+ssh\s+scraped\n[-\s]+\n\s+alice\s+c-alice-vm1\s+- no floating IP\s+- no monitoring/);
  });

  it('status: the health section exits 1 until the monitoring host\'s Prometheus scrapes every server; --learner shows that learner alone', async () => {
    const { api } = fakeCloud([]);
    const probed: string[] = [];
    let up = new Map<string, number>();
    api.listCourseServers = async () => [
      server('c-alice-vm1', { learner: 'alice', role: 'learner', floatingAddresses: ['172.24.4.11'] }),
      server('c-bob-vm1', { learner: 'bob', role: 'learner', floatingAddresses: ['172.24.4.12'] }),
      server('c-monitoring', { role: 'monitoring', floatingAddresses: ['172.24.4.20'] }),
    ];
    api.healthProbes = (cloud) => ({
      guard: async (address) => void probed.push(`${cloud} guard ${address}`),
      ssh: async (address) => ({ check: `SSH answers on ${address}:22`, ok: true, detail: 'SSH-2.0-fake' }),
      nodeUp: async (url) => {
        probed.push(`${cloud} prometheus ${url}`);
        return { up };
      },
    });
    const monitored = { ...course, monitoring: { enabled: true } } as Course;
    const { driver, out } = driverWith(api, synthWithState([]));
    expect(await driver.status(monitored, { json: true })).toBe(1);
    const health = (JSON.parse(out.join('\n')) as { sections: Array<{ title: string; ok: boolean; data: { servers: Array<{ server: string; ok: boolean; scraped?: { detail: string } }> } }> }).sections[2]!;
    expect(health.title).toMatch(/^server health/);
    expect(health.data.servers.map((s) => [s.server, s.ok, s.scraped?.detail])).toEqual([
      ['c-alice-vm1', false, 'not a target: discovery has not found it (is the monitoring host configured?)'],
      ['c-bob-vm1', false, 'not a target: discovery has not found it (is the monitoring host configured?)'],
      ['c-monitoring', false, 'not a target: discovery has not found it (is the monitoring host configured?)'],
    ]);
    expect(probed).toContain('teaching prometheus http://172.24.4.20:9090');
    up = new Map([['c-alice-vm1:9100', 1], ['c-bob-vm1:9100', 0], ['c-monitoring:9100', 1]]);
    out.length = 0;
    expect(await driver.status(monitored, { json: false, learner: 'alice' })).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/alice\s+c-alice-vm1\s+✔ SSH-2\.0-fake\s+✔ up == 1/);
    expect(text).not.toContain('c-bob-vm1');
    out.length = 0;
    expect(await driver.status(monitored, { json: false, learner: 'bob' })).toBe(1);
    expect(out.join('\n')).toMatch(/bob\s+c-bob-vm1\s+✔ SSH-2\.0-fake\s+✖ up == 0: its node-exporter does not answer/);
  });
});

describe('status against an unreachable cloud (real client, no cloud)', () => {
  let dir: string;
  const saved = { ...process.env };
  let url: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'resops-unreachable-'));
    for (const key of Object.keys(process.env)) if (key.startsWith('OS_')) delete process.env[key];
    // A loopback port that was free a moment ago: refused at once, no network and no timeout needed.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    url = `http://127.0.0.1:${port}/v3`;
    writeFileSync(join(dir, 'clouds.yaml'), `clouds:\n  gone:\n    auth:\n      auth_url: ${url}\n      username: teacher\n      password: hunter2-secret\n      project_name: course\n      user_domain_name: Default\n      project_domain_name: Default\n`);
    process.env.OS_CLIENT_CONFIG_FILE = join(dir, 'clouds.yaml');
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('says which cloud and what failed in its own section, keeps the terraform section, exits 1', async () => {
    mkdirSync(join(dir, 'stacks', 'gone-learner-alice'), { recursive: true });
    writeFileSync(join(dir, 'stacks', 'gone-learner-alice', 'cdk.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: 'none.tfstate' } } } }));
    const synth: SynthResult = { outDir: dir, stacks: [{ name: 'gone-learner-alice', kind: 'learner', learnerId: 'alice', dir: join(dir, 'stacks', 'gone-learner-alice'), dependsOn: [] }] };
    const out: string[] = [];
    const driver = createOpenstackDriver({ synth: () => synth, resolve: () => '/bin/false', out: (l) => out.push(l), progress: () => {} });
    const code = await driver.status({ id: 'gone', dir: tmpdir(), stateDir: 'resops-driver-test-no-state', cloud: { name: 'gone' }, learners: [{ id: 'alice' }], accounts: { mode: 'shared-project' } } as Course, { json: true });
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n')) as { sections: Array<{ title: string; ok: boolean; data: Record<string, unknown> | unknown[] }> };
    expect(report.sections.map((s) => s.ok)).toEqual([true, false, false, true]);
    expect(report.sections[0]!.data).toEqual([{ learner: 'alice', stack: 'gone-learner-alice', outputs: {}, deployed: false }]);
    expect(report.sections[2]!.data).toMatchObject({ error: expect.stringMatching(/^cloud "gone", connecting: cannot reach Keystone/) });
    expect(report.sections[1]!.data).toMatchObject({
      cloud: 'gone',
      error: `cloud "gone", connecting: cannot reach Keystone (identity) of cloud "gone" at ${url}: connection refused (is the cloud running, is the URL right?)`,
      hint: expect.stringContaining('answers from this machine'),
    });
    expect(out.join('\n')).not.toContain('hunter2-secret');
  });
});
