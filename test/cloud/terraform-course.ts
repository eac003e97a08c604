/**
 * The openstack target applied for real: Terraform with the real terraform-provider-openstack
 * 3.4.0 (from a filesystem mirror of ../shared) against the rehearsal cloud, driven through the
 * `resops` CLI exactly as an instructor runs it, on examples/course.yaml (deploying both pipeline
 * storages). Once it is configured, alice walks the curriculum's exercises 03–07 on it, where
 * the course's state is, as the local target's walk does: the pipeline on the worker VMs, the monitoring
 * host, failures through Nova. Registered from test/openstack-cloud.test.ts, which owns the cloud
 * (one cloud at a time fits on this machine).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { automationKeyFile, ensureAutomationKey } from '../../src/access/admin-access.js';
import { basicAuthorization, gnocchiUsers } from '../../src/access/gnocchi-users.js';
import { LOCAL_CLOUD } from '../../src/cloud/clouds-yaml.js';
import type { ServersMode } from '../../src/cloud/container.js';
import { requireRouteIntoCloud } from '../../src/cloud/route-check.js';
import { estimateConsumption } from '../../src/course/estimate.js';
import { openstackHealth } from '../../src/dashboard/health.js';
import { loadCourse } from '../../src/course/load.js';
import { findCloudConfig } from '../../src/openstack/cloud-config.js';
import { discoveryCredentialFile, readDiscoveryCredential, type DiscoveryCredential } from '../../src/openstack/discovery-credential.js';
import { parse as parseYaml } from 'yaml';
import { fetchWithin } from '../../src/net/deadline.js';
import { runCommand } from '../../src/process/run-command.js';
import type { OpenStackClient } from '../../src/openstack/client.js';
import { findLeftovers } from '../../src/openstack/leftovers.js';
import { listCourseServers, type CourseServer } from '../../src/openstack/servers.js';
import { providerMirror } from '../helpers/provider-mirror.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { newWalkRecord, walkExercise } from '../helpers/exercise-walk.js';
import { courseYaml } from '../helpers/course-yaml.js';
import { ExerciseEngine } from '../../src/exercises/engine.js';
import type { Course } from '../../src/course/model.js';
import { DEFAULT_OUT_DIR } from '../../src/targets/openstack-driver.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COURSE_ID = 'resops-demo';
const SAMPLE_END = '2026-12-05';

export interface CloudContext {
  admin: () => OpenStackClient;
  /** A member client of a fresh project (seeded by `cloud up`), like an instructor's on a real cloud. */
  projectClient: (project: string) => Promise<OpenStackClient>;
  /** The cloud's container, and what its servers are (containers boot: SSH reaches them). */
  cloud: string;
  servers: ServersMode;
}

/** The host's address on the cloud's `public` network (Docker's gateway of its bridge): SSH comes from there. */
const HOST_ON_PUBLIC = '172.24.4.1/32';

interface StackOutcome {
  stack: string;
  status: 'ok' | 'failed' | 'skipped';
  learnerId?: string;
  changes?: { add: number; change: number; destroy: number };
  error?: string;
  reason?: string;
}
interface RunJson {
  ok: boolean;
  outcomes: StackOutcome[];
  orphans?: Array<{ stack: string; learner?: string; resources: number }>;
  destroyed?: Array<{ outcomes: StackOutcome[] }>;
}

const mirror = await providerMirror();
const skip = 'skip' in mirror ? mirror.skip : undefined;
const mirrorDir = 'skip' in mirror ? '' : mirror.dir;

export function describeTerraformOnCloud(ctx: CloudContext): void {
  describe.skipIf(skip !== undefined)(`the openstack target applied by Terraform with the real provider${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let dir = '';
    let courseFile = '';
    let outDir = '';
    let learnerKeys: Record<'alice' | 'bob', string> = { alice: '', bob: '' };
    /** The sample with the test's keys and address (below). */
    let courseText = '';
    const sample = readFileSync(path.join(ROOT, 'examples/course.yaml'), 'utf8');
    const saved: Record<string, string | undefined> = {};

    beforeAll(async () => {
      // The sample takes 9 of the admin project's 10 security groups (Neutron's default quota),
      // with the project's own default group the tenth: one more from anywhere fails an apply.
      // The quota gate itself is tested below, in a project of its own.
      await ctx.admin().network.updateQuota(ctx.admin().projectId, { security_group: 30, security_group_rule: 300 });
      dir = mkdtempSync(path.join(os.tmpdir(), 'resops-tf-course-'));
      courseFile = path.join(dir, 'course.yaml');
      // Where every command puts the stacks when told nothing, as the learner's commands of the walk below are.
      outDir = path.resolve(DEFAULT_OUT_DIR);
      // The learners' keys of the sample are someone's laptops': alice and bob get keys made here,
      // and the instructor's own address (the host, as the cloud sees it) may SSH, as an
      // instructor writes theirs in ssh_allowed_cidrs.
      const keys = Object.fromEntries(['alice', 'bob'].map((id) => [id, ensureAutomationKey({ dir, stateDir: path.join('keys', id), id })]));
      learnerKeys = { alice: keys.alice!.privateKeyFile, bob: keys.bob!.privateKeyFile };
      const course = sample
        .replace(/(- id: alice[\s\S]*?ssh_public_key: ).*/, `$1${keys.alice!.publicKey.trim()}`)
        .replace(/(- id: bob[\s\S]*?ssh_public_key: ).*/, `$1${keys.bob!.publicKey.trim()}`)
        .replace('ssh_allowed_cidrs: [192.0.2.0/24]', `ssh_allowed_cidrs: [192.0.2.0/24, ${HOST_ON_PUBLIC}]`)
        .replace('dashboard_allowed_cidrs: [192.0.2.0/24]', `dashboard_allowed_cidrs: [192.0.2.0/24, ${HOST_ON_PUBLIC}]`)
        // Exercises 03 and 04 compare the two storages: the course deploys both.
        .replace(/^  storage: volume /m, '  storage: both   ')
        // The learner's commands in the walk name no target: the course file's is this cloud.
        .replace(/^target: local /m, 'target: openstack')
        // The course is not over, whenever the suite runs: expired courses are what `reap` ends.
        .replace(/^  end: 2026-12-05$/m, `  end: ${[SAMPLE_END, new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)].sort().pop()}`);
      if (course.split(HOST_ON_PUBLIC).length !== 3 || course.includes('alice@laptop') || course.includes('bob@laptop') || !/^  storage: both /m.test(course) || !/^target: openstack/m.test(course) || !sample.includes(`  end: ${SAMPLE_END}\n`)) throw new Error('examples/course.yaml changed shape: update this test\'s edits');
      courseText = course;
      writeFileSync(courseFile, course);
      for (const key of ['OS_CLOUD', 'RESOPS_PROVIDER_MIRROR']) saved[key] = process.env[key];
      process.env.OS_CLOUD = LOCAL_CLOUD;
      if (!('skip' in mirror)) process.env.RESOPS_PROVIDER_MIRROR = mirror.dir;
    }, 120_000);

    afterAll(async () => {
      // Whatever a failed test left: destroy through terraform, then sweep by label and prefix.
      if (courseFile) await cli('down', '--sweep');
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 600_000);

    const cli = (command: string, ...flags: string[]): Promise<CliResult> =>
      runCli([command, courseFile, '--target', 'openstack', '--out', outDir, ...flags]);
    const json = (result: CliResult): RunJson => {
      try {
        return JSON.parse(result.stdout) as RunJson;
      } catch {
        throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr.slice(-4000)}`);
      }
    };
    /** A stack's Terraform state file (the sample's state_dir, under the test's directory). */
    const stateFile = (stack: string) => path.join(dir, '.resops', COURSE_ID, 'terraform', `${COURSE_ID}-${stack}.tfstate`);
    const servers = async (): Promise<CourseServer[]> => listCourseServers(ctx.admin(), COURSE_ID);
    /**
     * SSH from the host to a server's floating IP, once the route is known to lead into the cloud;
     * `untilOk` retries (bounded) while cloud-init is still at work.
     */
    const sshInto = async (address: string, user: string, keyFile: string, command: string, options: { timeoutMs?: number; untilOk?: boolean } = {}) => {
      await requireRouteIntoCloud(new Docker(), address, ctx.cloud);
      for (let attempt = 1; ; attempt++) {
        const result = await runCommand('ssh', ['-i', keyFile, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
          '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', `${user}@${address}`, command], { timeoutMs: options.timeoutMs ?? 40_000, check: false });
        if (result.code === 0 || !options.untilOk || attempt >= 60) return result;
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    };
    const idsByName = async () => new Map((await servers()).map((s) => [s.name, s.id]));
    const byStack = (report: RunJson) => new Map(report.outcomes.map((o) => [o.stack, o]));
    const expectOk = (result: CliResult) => {
      if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-6000)}`);
    };

    /** Every name of the course that exists more than once among its kind (Terraform re-created something it had lost). */
    const duplicates = async () => {
      const client = ctx.admin();
      const [srv, ports, volumes, fips] = await Promise.all([
        client.compute.listServers(),
        client.network.listPorts(),
        client.volume.listVolumes(),
        client.network.listFloatingIps(),
      ]);
      const twice = (kind: string, names: Array<string | null | undefined>) => {
        const ours = names.map((n) => n ?? '').filter((n) => n.startsWith(`${COURSE_ID}-`));
        return ours.filter((n, i) => ours.indexOf(n) !== i).map((n) => `${kind} ${n}`);
      };
      return [
        ...twice('server', srv.map((s) => s.name)),
        ...twice('port', ports.map((p) => p.name)),
        ...twice('volume', volumes.map((v) => v.name)),
        ...twice('floating ip', fips.map((f) => f.description)),
      ];
    };

    it('up applies every stack of examples/course.yaml: network, each learner, monitoring, pipeline', async () => {
      const result = await cli('up', '--json');
      expectOk(result);
      // Said first, with the other choices the command made before it does anything.
      const header = result.stderr.split('\n').slice(0, result.stderr.split('\n').findIndex((l) => l.startsWith('synthesizing')));
      expect(header).toContain(`provider mirror: ${mirrorDir} (from RESOPS_PROVIDER_MIRROR)`);
      const report = json(result);
      expect(report.outcomes.map((o) => o.stack).sort()).toEqual(
        ['network', 'learner-alice', 'learner-bob', 'learner-carol', 'monitoring', 'pipeline'].map((s) => `${COURSE_ID}-${s}`).sort(),
      );
      for (const o of report.outcomes) expect(o.changes?.add, o.stack).toBeGreaterThan(0);
    }, 600_000);

    it('a second up changes nothing, and says so', async () => {
      const result = await cli('up');
      expectOk(result);
      expect(result.stdout).toContain('no changes: every stack matches the configuration, nothing was touched');
      const rows = result.stdout.split('\n').filter((l) => l.startsWith(`${COURSE_ID}-`));
      expect(rows).toHaveLength(6);
      for (const row of rows) expect(row).toMatch(/\bok\b.*\bno changes\b/);
      // The state Terraform wrote is the instructor's alone: root 0700, state files 0600.
      const c = loadCourse(courseFile);
      const root = path.resolve(c.dir, c.stateDir);
      expect((statSync(root).mode & 0o777).toString(8)).toBe('700');
      const states = readdirSync(path.join(root, 'terraform')).filter((f) => f.endsWith('.tfstate'));
      expect(states).toHaveLength(6);
      for (const file of states) expect([file, (statSync(path.join(root, 'terraform', file)).mode & 0o777).toString(8)]).toEqual([file, '600']);
    }, 600_000);

    it('status --json: every server ACTIVE with its fixed and floating addresses, grouped by learner; not healthy before configure', async () => {
      const result = await runCli(['status', courseFile, '--target', 'openstack', '--out', outDir, '--json']);
      const report = JSON.parse(result.stdout) as { sections: Array<{ title: string; ok: boolean; data: unknown }> };
      // Before configure no Prometheus runs on the monitoring host: nothing is scraped, status exits 1.
      expect({ code: result.code, ok: report.sections.map((s) => s.ok) }).toEqual({ code: 1, ok: [true, true, false, true] });
      // The cost from what the cloud runs: its hourly rate is what the estimate says the course
      // costs per hour (each server sized by the flavor Nova embeds, each volume and floating IP).
      const cost = report.sections[3]!.data as { currency: string; spent: number; perHour: number; budget: number; overWarning: boolean; projected?: number; items: Array<{ kind: string }>; unsized: string[] };
      const c = loadCourse(courseFile);
      const { total } = estimateConsumption(c);
      const prices = c.cloud.prices!;
      const expectedPerHour = total.vcpus * prices.vcpuHour + (total.ramMb / 1024) * prices.ramGbHour + total.volumeGb * prices.volumeGbHour + total.floatingIps * prices.floatingIpHour;
      expect(cost.unsized).toEqual([]);
      expect(cost.items.filter((i) => i.kind === 'server')).toHaveLength(total.instances);
      expect(cost.items.filter((i) => i.kind === 'volume')).toHaveLength(total.volumes);
      expect(cost.items.filter((i) => i.kind === 'floating-ip')).toHaveLength(total.floatingIps);
      expect(cost.perHour).toBeCloseTo(expectedPerHour, 9);
      expect(cost.spent).toBeGreaterThan(0);
      expect(cost).toMatchObject({ currency: prices.currency, budget: c.budget!.amount, overWarning: false });
      const health = report.sections[2]!.data as { servers: Array<{ server: string; scraped?: { ok: boolean; detail: string } }> };
      expect(health.servers).toHaveLength(7);
      for (const s of health.servers) expect(s.scraped, s.server).toMatchObject({ ok: false, detail: expect.stringMatching(/^Prometheus did not answer: /) });
      const cloud = report.sections.find((s) => s.title.startsWith('cloud servers'))!.data as {
        learners: Array<{ learner: string; servers: Array<{ name: string; status: string; fixedAddresses: string[]; floatingAddresses: string[] }> }>;
        shared: Array<{ role: string; servers: Array<{ name: string; status: string; fixedAddresses: string[] }> }>;
      };
      expect(cloud.learners.map((l) => [l.learner, l.servers.map((s) => s.name).sort()])).toEqual([
        ['alice', [`${COURSE_ID}-alice-vm1`, `${COURSE_ID}-alice-vm2`]],
        ['bob', [`${COURSE_ID}-bob-vm1`]],
        ['carol', [`${COURSE_ID}-carol-vm1`]],
      ]);
      const subnets: Record<string, string> = { alice: '10.42.1.', bob: '10.42.2.', carol: '10.42.3.' };
      for (const learner of cloud.learners) {
        for (const server of learner.servers) {
          expect(server.status, server.name).toBe('ACTIVE');
          expect(server.fixedAddresses).toEqual([expect.stringMatching(new RegExp(`^${COURSE_ID}-net=${subnets[learner.learner]!.replace(/\./g, '\\.')}\\d+$`))]);
          expect(server.floatingAddresses).toEqual([expect.stringMatching(/^172\.24\.4\.\d+$/)]);
        }
      }
      const shared = Object.fromEntries(cloud.shared.map((g) => [g.role, g.servers]));
      expect(shared.monitoring?.map((s) => s.status)).toEqual(['ACTIVE']);
      expect(shared.worker?.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE']);
      for (const s of [...shared.monitoring!, ...shared.worker!]) expect(s.fixedAddresses[0]).toMatch(/=10\.42\.0\.\d+$/);
    }, 120_000);

    it.skipIf(ctx.servers !== 'containers')('the VMs Terraform made boot: SSH on a learner\'s floating IP takes their key and refuses another learner\'s; the automation key reaches the default user; a learner\'s volume is their /dev/vdb', async () => {
      const all = await servers();
      const floatingOf = (name: string) => {
        const address = all.find((s) => s.name === name)?.floatingAddresses[0];
        if (!address) throw new Error(`${name} has no floating IP`);
        return address;
      };
      const alice = floatingOf(`${COURSE_ID}-alice-vm1`);
      const own = await sshInto(alice, 'alice', learnerKeys.alice, 'id -un; hostname', { untilOk: true });
      expect({ code: own.code, out: own.stdout.trim().split('\n'), err: own.stderr }).toEqual({ code: 0, out: ['alice', `${COURSE_ID}-alice-vm1`], err: '' });
      const other = await sshInto(alice, 'alice', learnerKeys.bob, 'true');
      expect(other.code).toBe(255);
      expect(other.stderr).toMatch(/Permission denied \(publickey/);
      // What `configure` (Ansible) will use: the course's automation key, on the image's default user.
      const automation = automationKeyFile(loadCourse(courseFile));
      const carol = floatingOf(`${COURSE_ID}-carol-vm1`);
      const disk = await sshInto(carol, 'debian', automation, 'sudo -n blockdev --getsize64 /dev/vdb', { untilOk: true });
      expect({ code: disk.code, out: disk.stdout.trim(), err: disk.stderr }).toEqual({ code: 0, out: String(20 * 2 ** 30), err: '' });
    }, 600_000);

    it.skipIf(ctx.servers !== 'containers')('status: every server with a floating IP answers SSH there (learner VMs, monitoring host); workers have none', async () => {
      type Health = { servers: Array<{ server: string; owner: string; ssh?: { ok: boolean; detail: string } }> };
      let health: Health | undefined;
      // Bounded: the servers booted in parallel, and the slowest may still be starting sshd.
      for (let attempt = 1; attempt <= 12; attempt++) {
        const result = await runCli(['status', courseFile, '--target', 'openstack', '--out', outDir, '--json']);
        health = (JSON.parse(result.stdout) as { sections: Array<{ data: unknown }> }).sections[2]!.data as Health;
        if (health.servers.every((s) => s.ssh?.ok ?? true)) break;
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
      expect(health!.servers.map((s) => [s.server, s.ssh?.ok ?? 'not checked'])).toEqual([
        [`${COURSE_ID}-alice-vm1`, true], [`${COURSE_ID}-alice-vm2`, true], [`${COURSE_ID}-bob-vm1`, true], [`${COURSE_ID}-carol-vm1`, true],
        [`${COURSE_ID}-monitoring`, true], [`${COURSE_ID}-worker1`, 'not checked'], [`${COURSE_ID}-worker2`, 'not checked'],
      ].sort());
      for (const s of health!.servers.filter((x) => x.ssh)) expect(s.ssh!.detail, s.server).toMatch(/^SSH-2\.0-OpenSSH/);
    }, 180_000);

    it.skipIf(ctx.servers !== 'containers')('handout --target openstack: alice\'s sheet gives her floating IP, and its SSH command logs her in; the instructor\'s sheet lists every learner and who can reach what', async () => {
      const out = path.join(dir, 'handouts');
      const result = await runCli(['handout', courseFile, '--target', 'openstack', '--stacks', outDir, '--out', out, '--json']);
      expectOk(result);
      const written = JSON.parse(result.stdout) as { instructor: string; learners: Array<{ learner: string; sheet: string; login?: string }> };
      expect(written.learners.map((l) => l.learner)).toEqual(['alice', 'bob', 'carol']);
      const sheet = readFileSync(written.learners[0]!.sheet, 'utf8');
      const all = await servers();
      const floating = all.find((s) => s.name === `${COURSE_ID}-alice-vm1`)!.floatingAddresses[0]!;
      const command = /`(ssh alice@[0-9.]+)`/.exec(sheet)?.[1];
      expect(command, sheet).toBe(`ssh alice@${floating}`);
      const [user, address] = command!.split(' ')[1]!.split('@');
      const login = await sshInto(address!, user!, learnerKeys.alice, 'hostname', { timeoutMs: 60_000 });
      expect({ code: login.code, out: login.stdout.trim() }).toEqual({ code: 0, out: `${COURSE_ID}-alice-vm1` });
      // The monitoring host's floating IP for Prometheus and Gnocchi, and her own login beside the sheet.
      const monitoring = all.find((s) => s.role === 'monitoring')!.floatingAddresses[0]!;
      expect(sheet).toContain(`http://${monitoring}:8041`);
      expect(readFileSync(written.learners[0]!.login!, 'utf8')).toMatch(new RegExp(`^machine ${monitoring.replace(/\./g, '\\.')} login alice password [A-Za-z0-9]{32}\n$`));
      const instructor = readFileSync(written.instructor, 'utf8');
      for (const learner of ['alice', 'bob', 'carol']) expect(instructor).toContain(`| ${learner} |`);
      expect(instructor).toContain(HOST_ON_PUBLIC);
    }, 300_000);

    /** Prometheus' API on the monitoring host, as the toolkit's admin, once the route is known to lead into the cloud. */
    const prometheusOnCloud = async () => {
      const monitoring = (await servers()).find((s) => s.role === 'monitoring')!.floatingAddresses[0]!;
      await requireRouteIntoCloud(new Docker(), monitoring, ctx.cloud);
      const admin = { user: 'admin', password: gnocchiUsers(loadCourse(courseFile)).admin };
      const api = async <T>(query: string): Promise<T> => {
        const response = await fetchWithin(10_000, `http://${monitoring}:9090/api/v1/${query}`, { headers: { authorization: basicAuthorization(admin) } });
        return ((await response.json()) as { data: T }).data;
      };
      type Targets = { activeTargets: Array<{ labels: Record<string, string>; health: string }> };
      type Alerts = { alerts: Array<{ labels: Record<string, string>; state: string }> };
      return {
        monitoring,
        nodeTargets: async () => (await api<Targets>('targets')).activeTargets.filter((t) => t.labels.job === 'node'),
        alertState: async (alertname: string, instance: string) => (await api<Alerts>('alerts')).alerts.find((a) => a.labels.alertname === alertname && a.labels.instance === instance)?.state,
      };
    };
    /** The server a Nova stop takes down while the curriculum is walked (bob's: alice walks), and the alert states seen. */
    const downVictim = `${COURSE_ID}-bob-vm1`;
    const downSeen: string[] = [];
    const recapOf = (result: CliResult) => (JSON.parse(result.stdout) as { hosts: Array<{ host: string; changed: number; failed: number; unreachable: number }> }).hosts;

    it.skipIf(ctx.servers !== 'containers')('configure: every machine of the sample converges (learner VMs, the monitoring host, the workers through it), a second configure changes nothing on any; Prometheus finds every server through the cloud\'s Keystone and Nova and scrapes each; a Nova stop makes InstanceDown pending', async () => {
      const configure = await runCli(['configure', courseFile, '--target', 'openstack', '--stacks', outDir, '--json']);
      expectOk(configure);
      const all = await servers();
      expect(recapOf(configure).map((h) => [h.host, h.failed, h.unreachable]).sort()).toEqual(all.map((s) => [s.name, 0, 0]).sort());
      // Discovery through the catalog's internal side, which the servers reach (the public one is this machine's loopback).
      expect(configure.stderr).toContain('Prometheus discovers the course\'s servers through the catalog\'s internal endpoints');
      const again = await runCli(['configure', courseFile, '--target', 'openstack', '--stacks', outDir, '--json']);
      expectOk(again);
      expect(recapOf(again).map((h) => [h.host, h.changed]).sort()).toEqual(all.map((s) => [s.name, 0]).sort());

      const { nodeTargets, alertState } = await prometheusOnCloud();
      // Every server of the course is a target (openstack_sd_configs, not a file), and every one is up.
      await waitUntil('every server discovered and up', 180_000, async () => {
        const targets = await nodeTargets();
        return targets.length === all.length && targets.every((t) => t.health === 'up');
      });
      const targets = await nodeTargets();
      expect(targets.map((t) => t.labels.instance).sort()).toEqual(all.map((s) => `${s.name}:9100`).sort());
      expect(targets.find((t) => t.labels.instance === `${COURSE_ID}-alice-vm2:9100`)!.labels).toMatchObject({ course: COURSE_ID, learner: 'alice', role: 'learner', vm: 'vm2' });

      const instance = `${downVictim}:9100`;
      expect(await alertState('InstanceDown', instance)).toBeUndefined();
      await ctx.admin().compute.serverAction(all.find((s) => s.name === downVictim)!.id, 'os-stop');
      // Pending after the first scrape that fails; it fires after its `for: 2m`, checked once the curriculum has been walked.
      await waitUntil(`InstanceDown pending for ${downVictim}`, 150_000, async () => {
        const state = await alertState('InstanceDown', instance);
        if (state && downSeen.at(-1) !== state) downSeen.push(state);
        return state !== undefined;
      });
      expect(downSeen).toEqual(['pending']);
    }, 2_400_000);

    it.skipIf(ctx.servers !== 'containers')('attack on the rehearsal cloud: a learner who reads the discovery credential off the monitoring host can list servers but cannot delete, create or read anything else, nor make herself a better credential; it is not the instructor\'s', async () => {
      const all = await servers();
      const monitoring = all.find((s) => s.role === 'monitoring')!.floatingAddresses[0]!;
      // What the monitoring host holds (whoever becomes root there reads the same).
      const read = await sshInto(monitoring, 'debian', automationKeyFile(loadCourse(courseFile)), 'sudo -n cat /etc/prometheus/prometheus.yml');
      expect({ code: read.code, err: read.stderr }).toEqual({ code: 0, err: '' });
      const config = parseYaml(read.stdout) as { scrape_configs: Array<{ openstack_sd_configs?: Array<Record<string, string>> }> };
      const sd = config.scrape_configs.flatMap((c) => c.openstack_sd_configs ?? []);
      expect(sd.length).toBeGreaterThan(0);
      const kept = readDiscoveryCredential(discoveryCredentialFile(loadCourse(courseFile)))!;
      for (const entry of sd) {
        expect(Object.keys(entry).filter((k) => /password|user|project|domain/.test(k))).toEqual([]);
        expect({ id: entry.application_credential_id, secret: entry.application_credential_secret }).toEqual({ id: kept.id, secret: kept.secret });
      }
      const instructor = findCloudConfig(LOCAL_CLOUD)!.auth;
      expect(instructor.type).toBe('password');
      if (instructor.type === 'password') expect(read.stdout).not.toContain(instructor.password);

      const stolen = await tokenOf(kept);
      expect(stolen.roles).toEqual(['reader']);
      const ask = (method: string, url: string, body?: unknown) =>
        fetchWithin(20_000, url, { method, headers: { 'x-auth-token': stolen.token, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      // What Prometheus needs works: every server of the course, and the floating IPs.
      const listed = await ask('GET', 'http://127.0.0.1:8774/v2.1/servers/detail');
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { servers: Array<{ name: string }> }).servers.map((s) => s.name).filter((n) => n.startsWith(`${COURSE_ID}-`)).sort()).toEqual(all.map((s) => s.name).sort());
      expect((await ask('GET', 'http://127.0.0.1:8774/v2.1/os-floating-ips')).status).toBe(200);
      // Everything else is refused.
      const victim = all.find((s) => s.name === `${COURSE_ID}-alice-vm1`)!;
      const flavor = (await ctx.admin().compute.listFlavors())[0]!.id;
      const attempts: Array<[string, string, unknown?]> = [
        ['DELETE', `http://127.0.0.1:8774/v2.1/servers/${victim.id}`],
        ['POST', 'http://127.0.0.1:8774/v2.1/servers', { server: { name: `${COURSE_ID}-intruder`, flavorRef: flavor, imageRef: flavor, networks: 'none' } }],
        ['POST', `http://127.0.0.1:8774/v2.1/servers/${victim.id}/action`, { 'os-getConsoleOutput': {} }],
        ['GET', `http://127.0.0.1:8774/v2.1/servers/${victim.id}`],
        ['GET', 'http://127.0.0.1:8774/v2.1/flavors'],
        ['GET', 'http://127.0.0.1:9696/v2.0/networks'],
        ['GET', 'http://127.0.0.1:9292/v2/images'],
        ['GET', `http://127.0.0.1:8776/v3/${stolen.projectId}/volumes`],
        ['GET', `http://127.0.0.1:8080/v1/AUTH_${stolen.projectId}`],
        ['POST', `http://127.0.0.1:5000/v3/users/${stolen.userId}/application_credentials`, { application_credential: { name: `${COURSE_ID}-intruder` } }],
        ['POST', `http://127.0.0.1:5000/v3/users/${stolen.userId}/credentials/OS-EC2`, { tenant_id: stolen.projectId }],
      ];
      const answers: string[] = [];
      for (const [method, url, body] of attempts) answers.push(`${method} ${url} ${[401, 403].includes((await ask(method, url, body)).status) ? 'refused' : 'ALLOWED'}`);
      expect(answers).toEqual(attempts.map(([method, url]) => `${method} ${url} refused`));
      expect((await ctx.admin().compute.getServer(victim.id))?.status).toBe('ACTIVE');
    }, 180_000);

    it.skipIf(ctx.servers !== 'containers')('attack on the rehearsal cloud: root on alice\'s VM tries the monitoring host\'s Pushgateway, Gnocchi, Alertmanager and Prometheus and Neutron drops it; from the dashboard network Gnocchi and Prometheus want a login, alice\'s cannot touch the course\'s archive policy nor open Alertmanager', async () => {
      const all = await servers();
      const monitoringHost = all.find((s) => s.role === 'monitoring')!;
      const monitoringFixed = monitoringHost.fixedAddresses[0]!.split('=').pop()!;
      const alice = all.find((s) => s.name === `${COURSE_ID}-alice-vm1`)!;
      const aliceFloating = alice.floatingAddresses[0]!;
      const aliceFixed = alice.fixedAddresses[0]!.split('=').pop()!;
      const probe: Array<[string, number]> = [[aliceFixed, 22], ...[9091, 8041, 9093, 9090].map((port): [string, number] => [monitoringFixed, port])];
      const script = `import json, socket\nout = []\nfor host, port in ${JSON.stringify(probe)}:\n    try:\n        socket.create_connection((host, port), timeout=5).close(); out.append("open")\n    except OSError as e:\n        out.append(type(e).__name__)\nprint(json.dumps(out))`;
      const result = await sshInto(aliceFloating, 'alice', learnerKeys.alice, `sudo -n python3 -c '${script}'`, { timeoutMs: 90_000 });
      expect({ code: result.code, err: result.stderr }).toEqual({ code: 0, err: '' });
      const results = JSON.parse(result.stdout.trim().split('\n').pop()!) as string[];
      // Control: the probe reaches a port that listens (alice's own sshd); none of the monitoring host's services answers her.
      expect(results.map((r, i) => `${probe[i]![0]}:${probe[i]![1]} ${r === 'open' ? 'open' : 'closed'}`)).toEqual([
        `${aliceFixed}:22 open`, ...[9091, 8041, 9093, 9090].map((port) => `${monitoringFixed}:${port} closed`),
      ]);

      const monitoring = monitoringHost.floatingAddresses[0]!;
      await requireRouteIntoCloud(new Docker(), monitoring, ctx.cloud);
      const users = gnocchiUsers(loadCourse(courseFile));
      const gnocchi = (user: string, password: string, method = 'GET', resource = '/v1/archive_policy/resops-pipeline') =>
        fetchWithin(10_000, `http://${monitoring}:8041${resource}`, { method, headers: { authorization: basicAuthorization({ user, password }) } }).then((r) => r.status);
      expect(await gnocchi('admin', '')).toBe(401);
      expect(await gnocchi('admin', users.learners.alice!)).toBe(401);
      expect(await gnocchi('alice', users.learners.alice!)).toBe(200);
      expect(await gnocchi('alice', users.learners.alice!, 'DELETE')).toBe(403);
      // The Pushgateway is open to no one outside: the toolkit pushes through SSH.
      const pushgateway = await fetchWithin(5_000, `http://${monitoring}:9091/metrics`).then(() => 'open', () => 'closed');
      expect(pushgateway).toBe('closed');
      expect(await gnocchi('admin', users.admin)).toBe(200);
      // Prometheus wants a login (a learner's reads it); Alertmanager, where silences are set, takes the toolkit's only.
      const web = (port: number, path: string, login?: { user: string; password: string }) =>
        fetchWithin(10_000, `http://${monitoring}:${port}${path}`, login ? { headers: { authorization: basicAuthorization(login) } } : {}).then((r) => r.status);
      const aliceLogin = { user: 'alice', password: users.learners.alice! };
      expect({
        prometheusNoLogin: await web(9090, '/api/v1/query?query=up'),
        prometheusWrongPassword: await web(9090, '/api/v1/query?query=up', { user: 'alice', password: users.learners.bob! }),
        prometheusAlice: await web(9090, '/api/v1/query?query=up', aliceLogin),
        alertmanagerNoLogin: await web(9093, '/api/v2/silences'),
        alertmanagerAlice: await web(9093, '/api/v2/silences', aliceLogin),
        alertmanagerAdmin: await web(9093, '/api/v2/silences', { user: 'admin', password: users.admin }),
      }).toEqual({ prometheusNoLogin: 401, prometheusWrongPassword: 401, prometheusAlice: 200, alertmanagerNoLogin: 401, alertmanagerAlice: 401, alertmanagerAdmin: 200 });
    }, 300_000);

    it.skipIf(ctx.servers !== 'containers')('attack on the rehearsal cloud: root on alice\'s VM sends packets with a forged source address; Neutron drops them (port security), the real ones arrive', async () => {
      const all = await servers();
      const fixed = (name: string) => all.find((s) => s.name === name)!.fixedAddresses[0]!.split('=').pop()!;
      const [sender, receiver] = [fixed(`${COURSE_ID}-alice-vm1`), fixed(`${COURSE_ID}-alice-vm2`)];
      // An address of alice's own subnet that no server holds: forging it would slip past any
      // filter that only knows the subnets, so only the port's own address list can stop it.
      const base = sender.split('.').slice(0, 3).join('.');
      const taken = new Set(all.flatMap((s) => s.fixedAddresses.map((a) => a.split('=').pop()!)));
      const forged = [250, 249, 248, 247].map((n) => `${base}.${n}`).find((a) => !taken.has(a))!;
      const ssh = (vm: string, command: string, timeoutMs: number) => sshInto(all.find((s) => s.name === vm)!.floatingAddresses[0]!, 'alice', learnerKeys.alice, command, { timeoutMs });
      // The receiver listens (AF_PACKET: what arrives at its interface, before any firewall of its
      // own) for ICMP echo requests that carry our marker, and prints their source addresses.
      const listen = `import socket, time, json\ns = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(3))\ns.settimeout(1)\nseen = []\nend = time.time() + 14\nwhile time.time() < end:\n    try:\n        frame = s.recv(65535)\n    except socket.timeout:\n        continue\n    if frame[12:14] == b"\\x08\\x00" and frame[23] == 1 and frame[34] == 8 and b"resops-spoof-probe" in frame:\n        seen.append(socket.inet_ntoa(frame[26:30]))\nprint(json.dumps(sorted(set(seen))))`;
      // The sender writes whole IPv4 packets (IP_HDRINCL), three with its own source, three forged.
      const send = `import socket, struct, time\ndef csum(b):\n    if len(b) % 2: b += b"\\0"\n    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))\n    t = (t >> 16) + (t & 0xffff); t += t >> 16\n    return ~t & 0xffff\ns = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)\nfor i in range(3):\n    for src in ["${sender}", "${forged}"]:\n        payload = b"resops-spoof-probe"\n        icmp = struct.pack("!BBHHH", 8, 0, 0, 4242, i) + payload\n        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]\n        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0, socket.inet_aton(src), socket.inet_aton("${receiver}"))\n        s.sendto(ip + icmp, ("${receiver}", 0))\n    time.sleep(1)`;
      const listening = ssh(`${COURSE_ID}-alice-vm2`, `sudo -n python3 -c '${listen}'`, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const sent = await ssh(`${COURSE_ID}-alice-vm1`, `sudo -n python3 -c '${send}'`, 60_000);
      expect({ code: sent.code, err: sent.stderr }).toEqual({ code: 0, err: '' });
      const heard = await listening;
      expect({ code: heard.code, err: heard.stderr }).toEqual({ code: 0, err: '' });
      // The real packets arrive (the probe works, ICMP is allowed inside the course); the forged never do.
      expect(JSON.parse(heard.stdout.trim().split('\n').pop()!)).toEqual([sender]);
    }, 300_000);

    describe.skipIf(ctx.servers !== 'containers')('the curriculum\'s exercises 03–07 walked by alice on this course (where its state is): the pipeline on the worker VMs (both storages), the monitoring host, a worker lost through Nova, her VM redeployed from code', () => {
      let course: Course;
      const record = newWalkRecord();
      const walkEnv: Record<string, string | undefined> = {};
      const engine = () => new ExerciseEngine({ course, learner: course.learners.find((l) => l.id === 'alice')!, sshKey: learnerKeys.alice, log: (line) => record.log.push(line) });

      beforeAll(async () => {
        course = loadCourse(courseFile);
        const monitoring = (await servers()).find((s) => s.role === 'monitoring')!.floatingAddresses[0]!;
        walkEnv.RESOPS_MONITORING_HOST = process.env.RESOPS_MONITORING_HOST;
        // The monitoring host's address, as the instructor hands it out. The pipeline exercises run
        // where the course's state is, with its credential (docs/exercises.md): the runs log in with
        // the course's automation key, and a cloud-native run makes an EC2 credential, which
        // Keystone refuses to an application credential such as a learner's account.
        process.env.RESOPS_MONITORING_HOST = monitoring;
      }, 120_000);

      afterAll(() => {
        for (const [name, value] of Object.entries(walkEnv)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      });

      // The wrong attempts of these exercises are the same on both targets (the local walk makes
      // each): here every step fails fresh with its message and passes after its solution.
      for (const exercise of ['03-containers', '04-porting', '05-scaling', '06-monitoring', '07-failures']) {
        it(`${exercise}: each step fails fresh with its message and passes after its solution`, async () => {
          await walkExercise(engine, exercise, record, { wrongAttempts: 'target-only' });
        }, 1_800_000);
      }

      it('the runs were the cloud\'s: both storages on the worker VMs, the same VCF for the same seed and size (and the local target\'s), the cloud-native runs fetching the reference at start, a worker lost and back, the learner\'s VM re-created', async () => {
        const e = engine();
        const failures = e.exercises.find((x) => x.id === '07-failures')!;
        const runs = e.lab(failures, failures.steps[0]!).pipelineRuns(new Date(0));
        expect(new Set(runs.map((r) => r.storage))).toEqual(new Set(['volume', 'object']));
        expect(runs.filter((r) => r.startup.image !== 'cloud VMs (configured by Ansible)').map((r) => r.run)).toEqual([]);
        // Every run's metrics reached the monitoring host: the Pushgateway (through SSH) and Gnocchi, in one batch.
        expect(runs.filter((r) => !r.metrics.pushgateway || !r.metrics.gnocchi).map((r) => `${r.run}: ${r.metrics.problem ?? 'not pushed'}`)).toEqual([]);
        const vcfs = new Map<string, Set<string>>();
        for (const run of runs) {
          const vcf = createHash('sha256').update(readFileSync(path.join(path.dirname(run.reportFile), 'calls.vcf'))).digest('hex');
          // Shards change bwa's batches (and its insert-size estimate): the same size is the same reads, seed and shards.
          const size = `${run.reads} read pairs, seed ${run.seed}, ${run.shards} shard(s)`;
          vcfs.set(size, (vcfs.get(size) ?? new Set()).add(vcf));
        }
        expect([...vcfs].filter(([, found]) => found.size > 1).map(([size]) => size)).toEqual([]);
        // And the local target's pipeline, for the same seed and size, calls exactly what the run that
        // lost a worker called (a course of its own, nothing lost).
        const solution = runs.find((r) => r.lostWorkers.length > 0)!;
        const local = path.join(dir, 'vcf-parity');
        mkdirSync(local, { recursive: true });
        writeFileSync(path.join(local, 'course.yaml'), `${courseYaml({ id: 'vcf-parity', target: 'local', learners: 1, workers: 1, monitoring: false })}state_dir: state\n`);
        try {
          const run = await runCli(['pipeline', 'run', path.join(local, 'course.yaml'), '--workers', '1', '--reads', String(solution.reads), '--seed', String(solution.seed), '--shards', String(solution.shards), '--json']);
          expectOk(run);
          const report = (JSON.parse(run.stdout) as { reportDir: string }).reportDir;
          expect(createHash('sha256').update(readFileSync(path.join(report, 'calls.vcf'))).digest('hex')).toBe([...vcfs.get(`${solution.reads} read pairs, seed ${solution.seed}, ${solution.shards} shard(s)`)!][0]);
        } finally {
          await runCli(['down', path.join(local, 'course.yaml')]);
        }
        // Fetching and indexing the reference at run time costs start-up time that the reference configured on the VMs does not.
        const ready = (storage: string) => Math.min(...runs.filter((r) => r.storage === storage).map((r) => r.startup.readySeconds));
        expect(ready('object')).toBeGreaterThan(ready('volume'));
        expect(runs.some((r) => r.lostWorkers.length > 0)).toBe(true);
        const now = await servers();
        expect(now.filter((s) => s.role === 'worker').map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE']);
        expect(record.outcomes.find((o) => o.step === '07-failures/redeploy')?.solved).toMatch(/is back \(ACTIVE\) and Prometheus scrapes it: up == 1$/);
      }, 300_000);
    });

    it.skipIf(ctx.servers !== 'containers')('InstanceDown for the stopped server fired after its `for:`; status and the dashboard name it; started again, it is scraped', async () => {
      const { nodeTargets, alertState } = await prometheusOnCloud();
      const instance = `${downVictim}:9100`;
      await waitUntil(`InstanceDown firing for ${downVictim}`, 300_000, async () => {
        const state = await alertState('InstanceDown', instance);
        if (state && downSeen.at(-1) !== state) downSeen.push(state);
        return state === 'firing';
      });
      expect(downSeen).toEqual(['pending', 'firing']);
      const status = await runCli(['status', courseFile, '--target', 'openstack', '--out', outDir, '--learner', 'bob', '--json']);
      expect(status.code).toBe(1);
      const health = (JSON.parse(status.stdout) as { sections: Array<{ data: unknown }> }).sections[2]!.data as { servers: Array<{ server: string; status: string; scraped?: { ok: boolean; detail: string } }> };
      expect(health.servers.map((s) => [s.server, s.status, s.scraped?.detail])).toEqual([[downVictim, 'SHUTOFF', 'up == 0: its node-exporter does not answer']]);
      // The dashboard's health view: the stopped server down, and the alert firing on the monitoring host, with its learner.
      const dashboard = await openstackHealth(loadCourse(courseFile))();
      expect(dashboard.error).toBeUndefined();
      expect(dashboard.machines.filter((m) => m.learner === 'bob').map((m) => [m.name, m.state])).toEqual([[downVictim, 'down']]);
      expect(dashboard.alerts.filter((a) => a.instance?.startsWith(`${COURSE_ID}-bob-`)).map((a) => [a.name, a.instance, a.learner])).toEqual([['InstanceDown', instance, 'bob']]);

      await ctx.admin().compute.serverAction((await servers()).find((s) => s.name === downVictim)!.id, 'os-start');
      await waitUntil(`${downVictim} scraped again`, 240_000, async () => (await nodeTargets()).some((t) => t.labels.instance === instance && t.health === 'up'));
    }, 900_000);

    it('drift: a learner VM deleted behind Terraform\'s back shows in plan, and up re-creates only it', async () => {
      const before = await idsByName();
      const victim = `${COURSE_ID}-bob-vm1`;
      await ctx.admin().compute.deleteServer(before.get(victim)!);
      await waitUntil(`${victim} gone`, 120_000, async () => !(await idsByName()).has(victim));

      const plan = json(await cli('plan', '--json'));
      const planned = byStack(plan);
      expect(planned.get(`${COURSE_ID}-learner-bob`)?.changes?.add).toBeGreaterThanOrEqual(1);
      for (const o of plan.outcomes.filter((o) => o.stack !== `${COURSE_ID}-learner-bob`)) {
        expect(o.changes, o.stack).toEqual({ add: 0, change: 0, destroy: 0 });
      }

      const up = await cli('up', '--json');
      expectOk(up);
      const after = await idsByName();
      expect(after.get(victim)).toBeDefined();
      expect(after.get(victim)).not.toBe(before.get(victim));
      for (const [name, id] of before) if (name !== victim) expect(after.get(name), name).toBe(id);
      expect(await duplicates()).toEqual([]);
    }, 600_000);

    it('up --learner carol --rebuild rebuilds that learner alone', async () => {
      const others = ['network', 'learner-alice', 'learner-bob', 'monitoring', 'pipeline'].map(stateFile);
      const stamps = others.map((f) => statSync(f).mtimeMs);
      const before = await idsByName();
      const result = await cli('up', '--learner', 'carol', '--rebuild', '--json');
      expectOk(result);
      const report = json(result);
      expect(report.outcomes.map((o) => o.stack)).toEqual([`${COURSE_ID}-learner-carol`]);
      expect(report.destroyed?.[0]?.outcomes.map((o) => [o.stack, (o.changes?.destroy ?? 0) > 0])).toEqual([[`${COURSE_ID}-learner-carol`, true]]);
      const after = await idsByName();
      expect(after.get(`${COURSE_ID}-carol-vm1`)).not.toBe(before.get(`${COURSE_ID}-carol-vm1`));
      for (const [name, id] of before) if (!name.startsWith(`${COURSE_ID}-carol-`)) expect(after.get(name), name).toBe(id);
      expect(others.map((f) => statSync(f).mtimeMs)).toEqual(stamps);
    }, 600_000);

    /**
     * Runs `up` in a process of its own and sends it `signal` once Terraform is creating alice's
     * resources (the middle of an apply); the caller makes sure there is work left in her stack.
     */
    const upInterrupted = async (signal: 'SIGINT' | 'SIGKILL') => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/resops.mjs'), 'up', courseFile, '--target', 'openstack', '--out', outDir], {
        cwd: ROOT,
        env: { ...process.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const creating = new Promise<void>((resolve) => {
        const watch = (chunk: Buffer) => {
          output += chunk.toString();
          if (/\[resops-demo-learner-alice\] .*: Creating\.\.\./.test(output)) resolve();
        };
        child.stdout.on('data', watch);
        child.stderr.on('data', watch);
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await Promise.race([creating, exited.then(() => Promise.reject(new Error(`up ended before it created anything:\n${output}`)))]);
      child.kill(signal);
      const code = await exited;
      return { code, output };
    };

    // One destroyed stack serves both interruptions: SIGINT stops the apply after what Terraform
    // is doing, which leaves the rest of alice's stack for the next up, the one SIGKILL hits. Each
    // proof is the same as in a test of its own; the stack is destroyed and re-created once, not
    // twice (each cycle is minutes of CI).
    it('up interrupted with SIGINT mid-apply saves its state; the next up, killed with SIGKILL mid-apply, leaves its terraform to finish alone; the up after waits for it and converges without duplicates', async () => {
      expectOk(await cli('down', '--learner', 'alice'));
      const interrupted = await upInterrupted('SIGINT');
      expect(interrupted.code).not.toBe(0);
      expect(interrupted.output).toContain('interrupted: running terraform steps stop after what they are doing and save their state');
      // Terraform saved what it had made: the state file lists resources, and none is made twice below.
      const state = JSON.parse(readFileSync(stateFile('learner-alice'), 'utf8')) as { resources?: unknown[] };
      expect(state.resources?.length ?? 0).toBeGreaterThan(0);

      const killed = await upInterrupted('SIGKILL');
      expect(killed.code).toBeNull();
      const holder = path.join(outDir, 'stacks', `${COURSE_ID}-learner-alice`, '.resops-terraform.json');
      const stillHeld = existsSync(holder);
      const again = await cli('up', '--json');
      expectOk(again);
      // The orphaned terraform was still applying when the next run came: it was waited for.
      if (stillHeld) expect(again.stderr).toMatch(/waiting for terraform apply of an earlier, interrupted run|terraform apply of an earlier run \(pid \d+\) has finished/);
      expect(existsSync(holder)).toBe(false);
      expect(json(again).outcomes.every((o) => o.status === 'ok')).toBe(true);
      expect((await idsByName()).has(`${COURSE_ID}-alice-vm2`)).toBe(true);
      expect(await duplicates()).toEqual([]);
    }, 900_000);

    it('one learner fails for real: the others finish, Terraform\'s own error is reported, and a rerun after the fix completes', async () => {
      expectOk(await cli('down', '--learner', 'bob'));
      // A keypair left under bob's name (an earlier course, a hand-made one): Nova refuses his.
      await ctx.admin().compute.createKeypair(`${COURSE_ID}-bob-key`, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFCVaYyRc7jp4c9ToavgICgR8SY3XAAt5aaM9TmGHuP other');
      const failed = await cli('up', '--json');
      expect(failed.code).toBe(1);
      const outcomes = byStack(json(failed));
      const bob = outcomes.get(`${COURSE_ID}-learner-bob`)!;
      expect(bob.status).toBe('failed');
      expect(bob.error).toMatch(/^Error: .*/);
      expect(bob.error).toMatch(/already exists/i);
      for (const name of ['network', 'learner-alice', 'learner-carol', 'monitoring', 'pipeline']) expect(outcomes.get(`${COURSE_ID}-${name}`)?.status, name).toBe('ok');
      const text = await cli('up');
      expect(text.stdout).toContain(`${COURSE_ID}-learner-bob: terraform apply said:`);

      await ctx.admin().compute.deleteKeypair(`${COURSE_ID}-bob-key`);
      expectOk(await cli('up'));
      expect((await idsByName()).has(`${COURSE_ID}-bob-vm1`)).toBe(true);
    }, 600_000);

    it('a learner removed from the course file: up names the stack and leaves it; up --prune destroys it and nothing of them is left', async () => {
      writeFileSync(courseFile, withoutLearner(courseText, 'carol'));
      try {
        const result = await cli('up', '--json');
        expectOk(result);
        const report = json(result);
        expect(report.outcomes.map((o) => o.stack)).not.toContain(`${COURSE_ID}-learner-carol`);
        expect(report.orphans).toEqual([expect.objectContaining({ stack: `${COURSE_ID}-learner-carol`, learner: 'carol' })]);
        const text = await cli('plan');
        expect(text.stdout).toContain(`${COURSE_ID}-learner-carol: learner carol is not in the course file`);
        expect((await idsByName()).has(`${COURSE_ID}-carol-vm1`)).toBe(true);

        const pruned = await cli('up', '--prune', '--json');
        expectOk(pruned);
        expect(json(pruned).orphans).toEqual([]);
        const left = (await findLeftovers(ctx.admin(), COURSE_ID)).filter((l) => l.name.startsWith(`${COURSE_ID}-carol`));
        expect(left).toEqual([]);
      } catch (error) {
        writeFileSync(courseFile, courseText);
        throw error;
      }
      // The rest of the suite runs without carol: re-creating her stack would cost minutes of CI
      // and prove nothing the tests above have not.
      courseText = withoutLearner(courseText, 'carol');
    }, 900_000);

    it('quota: a member whose quota is too small gets exit 3 naming each limit, with nothing created; --force applies anyway', async () => {
      const project = 'resops-quota';
      const member = await ctx.projectClient(project);
      // No cores at all: past the gate Nova refuses every server at once. A quota that let a few
      // through booted them (servers are containers) only to delete them again: minutes of CI
      // that proved nothing more.
      await ctx.admin().compute.updateQuota(member.projectId, { instances: 3, cores: 0 });
      const file = path.join(dir, 'quota-course.yaml');
      writeFileSync(file, sample.replace(`id: ${COURSE_ID}`, `id: ${project}`).replace(/state_dir: .*/, `state_dir: .resops/${project}`));
      const run = (...flags: string[]) => runCli(['up', file, '--target', 'openstack', '--out', path.join(dir, 'quota.out'), ...flags]);
      process.env.OS_CLOUD = `${LOCAL_CLOUD}-${project}`;
      try {
        const refused = await run();
        expect(refused.code).toBe(3);
        expect(refused.stderr).toMatch(/instances: need 7 \(in use 0 \+ course 7\) > limit 3/);
        expect(refused.stderr).toMatch(/cores: need 14 \(in use 0 \+ course 14\) > limit 0/);
        expect(refused.stderr).toContain('nothing was created');
        expect(await findLeftovers(member, project)).toEqual([]);

        // Past the gate, one learner stands for the class: the network and her stack are what
        // --force must apply and Nova must refuse; three learners, monitoring and workers only
        // multiplied the same refusal (and its clean-up) by six stacks' worth of CI minutes.
        writeFileSync(file, withoutLearner(withoutLearner(readFileSync(file, 'utf8'), 'alice'), 'bob').replace(/(monitoring:\n  enabled:) true/, '$1 false').replace(/(pipeline:\n  workers:) \d+/, '$1 0'));
        const forced = await run('--force', '--json');
        expect(forced.code).toBe(1);
        const outcomes = JSON.parse(forced.stdout) as RunJson;
        expect(outcomes.outcomes.map((o) => o.stack)).toEqual([`${project}-network`, `${project}-learner-carol`]);
        expect(outcomes.outcomes.find((o) => o.stack === `${project}-network`)?.status).toBe('ok');
        // Past the gate, Nova itself refuses: Terraform's own error says so.
        expect(outcomes.outcomes.map((o) => o.error ?? '').join('\n')).toMatch(/Quota exceeded/i);
      } finally {
        const down = await runCli(['down', file, '--target', 'openstack', '--out', path.join(dir, 'quota.out'), '--sweep']);
        process.env.OS_CLOUD = LOCAL_CLOUD;
        expect(down.code, down.stdout + down.stderr).toBe(0);
      }
    }, 900_000);

    it('keeping the cloud-native variant alone (pipeline.storage: both → object) changes only the pipeline stack: the shared volume goes, the Swift container stays', async () => {
      writeFileSync(courseFile, courseText.replace(/storage: both\b/, 'storage: object'));
      const ids = await idsByName();
      const result = await cli('up', '--json');
      expectOk(result);
      for (const o of json(result).outcomes) {
        if (o.stack === `${COURSE_ID}-pipeline`) expect(o.changes!.add + o.changes!.destroy, o.stack).toBeGreaterThan(0);
        else expect(o.changes, o.stack).toEqual({ add: 0, change: 0, destroy: 0 });
      }
      expect((await ctx.admin().objectStore.listContainers()).map((c) => c.name)).toContain(`${COURSE_ID}-pipeline`);
      expect((await ctx.admin().volume.listVolumes()).filter((v) => v.name === `${COURSE_ID}-pipeline-data`)).toEqual([]);
      const after = await idsByName();
      // Workers may be replaced (their storage settings changed); learners' and monitoring's VMs stay.
      for (const [name, id] of ids) if (!name.startsWith(`${COURSE_ID}-worker`)) expect(after.get(name), name).toBe(id);
    }, 600_000);

    it('down destroys every stack, the leak check is clean, the discovery credential is deleted, and an independent listing finds nothing of the course', async () => {
      const file = discoveryCredentialFile(loadCourse(courseFile));
      const discovery = ctx.servers === 'containers' ? readDiscoveryCredential(file) : undefined;
      const result = await cli('down', '--json');
      expectOk(result);
      const report = JSON.parse(result.stdout) as RunJson & { leakCheck: { clean: boolean; after: unknown[] }; discoveryCredential?: { deleted?: string } };
      expect(report.outcomes.every((o) => o.status === 'ok')).toBe(true);
      expect(report.leakCheck).toMatchObject({ clean: true, after: [] });
      if (discovery) {
        expect(report.discoveryCredential).toEqual({ deleted: `deleted Prometheus' discovery credential resops-${COURSE_ID}-discovery (application credential ${discovery.id})` });
        // Keystone answers 404 (no such application credential) or 401.
        await expect(tokenOf(discovery)).rejects.toThrow(/answered (401|404)/);
      }
      expect(existsSync(file)).toBe(false);
      expect(await independentListing(ctx.admin())).toEqual([]);
    }, 600_000);
  });
}

/** Everything named or labelled for the course, listed kind by kind without the toolkit's leak check. */
async function independentListing(client: OpenStackClient): Promise<string[]> {
  const ours = (name: string | null | undefined, tags: string[] = [], metadata: Record<string, string> = {}) =>
    (name ?? '').startsWith(`${COURSE_ID}-`) || tags.includes(`resops-course=${COURSE_ID}`) || metadata['resops-course'] === COURSE_ID;
  const [servers, ports, fips, routers, networks, subnets, groups, volumes, keypairs, containers] = await Promise.all([
    client.compute.listServers(),
    client.network.listPorts(),
    client.network.listFloatingIps(),
    client.network.listRouters(),
    client.network.listNetworks(),
    client.network.listSubnets(),
    client.network.listSecurityGroups(),
    client.volume.listVolumes(),
    client.compute.listKeypairs(),
    client.objectStore.listContainers(),
  ]);
  return [
    ...servers.filter((s) => ours(s.name, [], s.metadata)).map((s) => `server ${s.name}`),
    ...ports.filter((p) => ours(p.name, p.tags)).map((p) => `port ${p.name}`),
    ...fips.filter((f) => ours(f.description ?? undefined, f.tags)).map((f) => `floating ip ${f.floating_ip_address}`),
    ...routers.filter((r) => ours(r.name, r.tags)).map((r) => `router ${r.name}`),
    ...networks.filter((n) => ours(n.name, n.tags)).map((n) => `network ${n.name}`),
    ...subnets.filter((s) => ours(s.name, s.tags)).map((s) => `subnet ${s.name}`),
    ...groups.filter((g) => ours(g.name, g.tags)).map((g) => `security group ${g.name}`),
    ...volumes.filter((v) => ours(v.name, [], v.metadata)).map((v) => `volume ${v.name}`),
    ...keypairs.filter((k) => ours(k.name)).map((k) => `keypair ${k.name}`),
    ...containers.filter((c) => ours(c.name, [], c.metadata)).map((c) => `container ${c.name}`),
  ];
}

/** A token of an application credential, as Prometheus (or whoever holds its secret) gets one. */
async function tokenOf(credential: Pick<DiscoveryCredential, 'id' | 'secret'>): Promise<{ token: string; roles: string[]; userId: string; projectId: string }> {
  const response = await fetchWithin(20_000, 'http://127.0.0.1:5000/v3/auth/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['application_credential'], application_credential: { id: credential.id, secret: credential.secret } } } }),
  });
  if (response.status !== 201) throw new Error(`POST /v3/auth/tokens answered ${response.status}`);
  const body = (await response.json()) as { token: { roles: Array<{ name: string }>; user: { id: string }; project: { id: string } } };
  return { token: response.headers.get('x-subject-token')!, roles: body.token.roles.map((r) => r.name), userId: body.token.user.id, projectId: body.token.project.id };
}

/** The course file without one learner's entry (the sample lists each learner as `  - id: …` and its fields). */
function withoutLearner(text: string, id: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `  - id: ${id}`);
  if (start < 0) throw new Error(`no learner ${id} in the sample`);
  let end = start + 1;
  while (end < lines.length && lines[end]!.startsWith('    ')) end++;
  return [...lines.slice(0, start), ...lines.slice(end)].join('\n');
}

async function waitUntil(what: string, limitMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
