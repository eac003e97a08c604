/**
 * The local target end to end on the real Docker daemon: a 2-learner course brought up through
 * the CLI, checked from outside (status, Prometheus, Gnocchi, SSH) and inside (isolation between
 * learners), brought up again (idempotent), interrupted and resumed, and brought down (twice).
 * All Docker tests live in this one file so image builds never race each other.
 * Skipped when no Docker daemon answers, except in CI (CI=1), where that is a failure.
 */
import { spawn, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type AuthHandlerMiddleware } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuthorization, gnocchiAdmin, gnocchiLearner, gnocchiUsers } from '../src/access/gnocchi-users.js';
import { loadCourse } from '../src/course/load.js';
import { promQuery } from '../src/local/checks.js';
import { gnocchiRequest } from '../src/pipeline/metrics.js';
import { ensureDebianBase } from '../src/local/base-image.js';
import { buildImage, ensureImages, readContext } from '../src/local/images.js';
import { TargetError } from '../src/targets/driver.js';
import { stderrProgress } from '../src/local/progress.js';
import { ruleFiles, MONITORING_DIR } from '../src/local/monitoring-files.js';
import { runTool } from '../src/local/toolbox.js';
import { suiteDocker, suiteId } from './helpers/docker-suite.js';
import { chromium } from 'playwright-core';
import type { ClassView } from '../src/dashboard/class-view.js';
import { EventStore } from '../src/dashboard/event-store.js';
import { localHealth } from '../src/dashboard/health.js';
import { dashboardApp, listen } from '../src/dashboard/server.js';
import { exercisesFor, loadCatalog } from '../src/exercises/catalog.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'resops.mjs');
const { docker, dockerAvailable } = await suiteDocker('the local target tests');

const { id: ID, suffix } = suiteId('t-local');
// Random CIDR and ports so a parallel run (or the sample course) never collides with this one.
const OCTET = 100 + (parseInt(suffix, 16) % 100);
const PORT_BASE = 20000 + (parseInt(suffix, 16) % 400) * 100;
const PORTS = { prometheus: PORT_BASE + 90, pushgateway: PORT_BASE + 91, alertmanager: PORT_BASE + 93, gnocchi: PORT_BASE + 41, swift: PORT_BASE + 80 };
const GNOCCHI = `http://127.0.0.1:${PORTS.gnocchi}`;
const sshPort = (learnerIndex: number, vm: number) => PORT_BASE + learnerIndex * 10 + vm;

let dir = '';
let courseFile = '';
const keys: Record<'ann' | 'ben', string> = { ann: '', ben: '' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it; bounded. */
function resops(args: string[], timeoutMs = 600_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`resops ${args.join(' ')} did not finish in ${timeoutMs / 1000}s\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function json<T>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

const labelled = async () => {
  const filters = { label: [`resops.course=${ID}`] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return { containers, networks };
};

function courseYaml(): string {
  return `
course: { id: ${ID}, title: local target test }
target: local
cloud:
  name: c
  region: r
  external_network: public
  image: debian-12
  image_user: debian
  flavors:
    learner: { name: s, vcpus: 1, ram_mb: 1024 }
    monitoring: { name: m, vcpus: 1, ram_mb: 1024 }
    worker: { name: l, vcpus: 1, ram_mb: 1024 }
network: { cidr: 10.${OCTET}.0.0/16 }
learners:
  - { id: ann, name: Ann, ssh_public_key: "${readFileSync(`${keys.ann}.pub`, 'utf8').trim()}" }
  - { id: ben, name: Ben, ssh_public_key: "${readFileSync(`${keys.ben}.pub`, 'utf8').trim()}" }
monitoring: { enabled: true, retention: 1d }
pipeline: { workers: 0 }
local:
  ssh_port_base: ${PORT_BASE}
  ports: { prometheus: ${PORTS.prometheus}, pushgateway: ${PORTS.pushgateway}, alertmanager: ${PORTS.alertmanager}, gnocchi: ${PORTS.gnocchi}, swift: ${PORTS.swift} }
`;
}

/** Runs a command over SSH with a private key; bounded. */
function sshExec(port: number, username: string, keyFile: string, command: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const timer = setTimeout(() => {
      client.end();
      reject(new Error('ssh: no result in 20s'));
    }, 20_000);
    client
      .on('ready', () => {
        client.exec(command, (error, stream) => {
          if (error) return reject(error);
          let stdout = '';
          stream.on('data', (c: Buffer) => (stdout += c.toString()));
          stream.stderr.on('data', () => undefined);
          stream.on('close', (code: number) => {
            clearTimeout(timer);
            client.end();
            resolve({ code, stdout });
          });
        });
      })
      .on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      })
      .connect({ host: '127.0.0.1', port, username, privateKey: readFileSync(keyFile), readyTimeout: 15_000 });
  });
}

/**
 * Offers `none` (the server answers with the methods it accepts), then a password; resolves with
 * what the server said it accepts and whether the password got in.
 */
function tryPassword(port: number, username: string, password: string): Promise<{ methods: string[]; loggedIn: boolean }> {
  return new Promise((resolve) => {
    const client = new Client();
    let methods: string[] = [];
    const tried = new Set<string>();
    const authHandler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
      if (methodsLeft) methods = methodsLeft;
      if (!tried.has('none')) {
        tried.add('none');
        return next({ type: 'none', username });
      }
      if (!tried.has('password')) {
        tried.add('password');
        return next({ type: 'password', username, password });
      }
      // ssh2 ends authentication on `false`; its typings leave that out.
      return (next as unknown as (stop: false) => void)(false);
    };
    const timer = setTimeout(() => {
      client.end();
      resolve({ methods, loggedIn: false });
    }, 20_000);
    client
      .on('ready', () => {
        clearTimeout(timer);
        client.end();
        resolve({ methods, loggedIn: true });
      })
      .on('error', () => {
        clearTimeout(timer);
        resolve({ methods, loggedIn: false });
      })
      .connect({ host: '127.0.0.1', port, username, authHandler, readyTimeout: 15_000, tryKeyboard: false });
  });
}

async function execIn(container: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  docker.modem.demuxStream(stream, out, new PassThrough());
  await new Promise((resolve) => stream.on('end', resolve));
  return Buffer.concat(chunks).toString();
}

interface UpJson {
  changed: boolean;
  healthy: boolean;
  changes: Array<{ object: string; action: string }>;
  endpoints: { vms: Array<{ learner: string; ssh: string }>; services: Array<{ service: string; url: string }> };
}
interface StatusJson {
  healthy: boolean;
  learners: Array<{ id: string; vms: Array<{ state: string; checks: Array<{ check: string; ok: boolean }> }> }>;
  services: Array<{ service: string; state: string; checks: Array<{ check: string; ok: boolean }> }>;
}

describe.skipIf(!dockerAvailable)('local target on Docker', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'resops-local-'));
    for (const name of ['ann', 'ben'] as const) {
      keys[name] = join(dir, name);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@test`, '-f', keys[name]]);
    }
    courseFile = join(dir, 'course.yaml');
    writeFileSync(courseFile, courseYaml());
    // Cold CI: every image is built here once (minutes), so each test below runs warm.
    const progress = stderrProgress();
    await ensureDebianBase(docker, progress);
    await ensureImages(docker, progress);
  });

  afterAll(async () => {
    if (courseFile) await resops(['down', courseFile]).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start when a port is taken, saying which and what to do, and creates nothing', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(PORTS.gnocchi, '127.0.0.1', resolve));
    try {
      const run = await resops(['up', courseFile]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`127.0.0.1:${PORTS.gnocchi} (Gnocchi API) is taken by another program`);
      expect(run.stderr).toMatch(/hint: .*local\.ports/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      server.close();
    }
    const left = await labelled();
    expect(left.containers.length + left.networks.length).toBe(0);
  });

  it('status of a course that is not up says so and how to start it', async () => {
    const run = await resops(['status', courseFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`course ${ID} is not up on this Docker daemon`);
    expect(run.stderr).toContain('resops up');
  });

  it('up: two learners and monitoring, healthy, with a table of what runs where', async () => {
    const run = await resops(['up', courseFile, '--json']);
    const result = json<UpJson>(run);
    expect(run.code, run.stderr).toBe(0);
    expect(result.healthy).toBe(true);
    expect(result.changed).toBe(true);
    expect(result.endpoints.vms.map((v) => v.ssh)).toEqual([`ssh -p ${sshPort(0, 1)} ann@127.0.0.1`, `ssh -p ${sshPort(1, 1)} ben@127.0.0.1`]);
    expect(result.endpoints.services.find((s) => s.service === 'prometheus')!.url).toBe(`http://127.0.0.1:${PORTS.prometheus}`);
    expect(run.stderr).toMatch(/\[\s*\d+\.\d+s\] network .*: created/);
    const { containers, networks } = await labelled();
    expect(containers.map((c) => c.Names[0]).sort()).toEqual(
      ['alertmanager', 'ann-vm1', 'ben-vm1', 'gnocchi', 'postgres', 'prometheus', 'pushgateway'].map((n) => `/${ID}-${n}`).sort(),
    );
    expect(networks.map((n) => n.Name).sort()).toEqual(['ann', 'ben', 'monitoring', 'services'].map((n) => `${ID}-${n}`).sort());
    for (const c of containers.filter((c) => c.Names[0]!.includes('-vm'))) {
      expect(c.Labels['resops.learner']).toBe(c.Names[0]!.includes('-ann-') ? 'ann' : 'ben');
      expect(c.Ports.every((p) => !p.PublicPort || p.IP === '127.0.0.1')).toBe(true);
    }
  }, 300_000);

  it('status --json: every VM and service healthy, naming the check used', async () => {
    const run = await resops(['status', courseFile, '--json']);
    const status = json<StatusJson>(run);
    expect(run.code).toBe(0);
    expect(status.healthy).toBe(true);
    for (const learner of status.learners) {
      const checks = learner.vms[0]!.checks.map((c) => c.check);
      expect(learner.vms[0]!.state).toBe('healthy');
      expect(checks.some((c) => c.startsWith('SSH answers on 127.0.0.1:'))).toBe(true);
      expect(checks.some((c) => c.includes(`up{job="node",instance="${ID}-${learner.id}-vm1:9100"} == 1`))).toBe(true);
    }
    expect(status.services.map((s) => `${s.service}:${s.state}`)).toEqual(
      ['postgres', 'gnocchi', 'prometheus', 'pushgateway', 'alertmanager'].map((s) => `${s}:healthy`),
    );
    expect(status.services.find((s) => s.service === 'gnocchi')!.checks[0]!.check).toContain('/v1/status');
  });

  it("Prometheus reports up == 1 for each learner's node, with the labels the rules use", async () => {
    const admin = gnocchiAdmin(loadCourse(courseFile));
    const samples = await promQuery(PORTS.prometheus, 'up{job="node"}', admin);
    expect(samples.map((s) => [s.labels.learner, s.labels.vm, s.value]).sort()).toEqual([
      ['ann', 'vm1', 1],
      ['ben', 'vm1', 1],
    ]);
    const rules = await fetch(`http://127.0.0.1:${PORTS.prometheus}/api/v1/rules`, { headers: { authorization: basicAuthorization(admin) }, signal: AbortSignal.timeout(5000) }).then((r) => r.json() as Promise<{ data: { groups: Array<{ file: string }> } }>);
    const loaded = new Set(rules.data.groups.map((g) => g.file.split('/').pop()));
    expect([...loaded].sort()).toEqual(ruleFiles().map((r) => r.name).sort());
  });

  it('a batch of measures written to Gnocchi reads back', async () => {
    const auth = { authorization: basicAuthorization(gnocchiAdmin(loadCourse(courseFile))), 'content-type': 'application/json' };
    const resource = randomUUID();
    const created = await fetch(`${GNOCCHI}/v1/resource/generic`, { method: 'POST', headers: auth, body: JSON.stringify({ id: resource }), signal: AbortSignal.timeout(10_000) });
    expect(created.status).toBe(201);
    const start = Math.floor(Date.now() / 1000) - 300;
    const series = (f: (i: number) => number) => Array.from({ length: 200 }, (_, i) => ({ timestamp: new Date((start + i) * 1000).toISOString(), value: f(i) }));
    const batch = {
      [resource]: {
        cpu: { archive_policy_name: 'high', measures: series((i) => i) },
        temp: { archive_policy_name: 'high', measures: series((i) => 20 + (i % 7)) },
      },
    };
    const posted = await fetch(`${GNOCCHI}/v1/batch/resources/metrics/measures?create_metrics=true`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(30_000),
    });
    expect(posted.status).toBe(202);
    for (const [metric, expected] of [['cpu', series((i) => i)], ['temp', series((i) => 20 + (i % 7))]] as const) {
      const read = await fetch(`${GNOCCHI}/v1/resource/generic/${resource}/metric/${metric}/measures?refresh=true&granularity=1`, { headers: auth, signal: AbortSignal.timeout(30_000) });
      expect(read.status).toBe(200);
      const points = (await read.json()) as Array<[string, number, number]>;
      expect(points.map((p) => p[2])).toEqual(expected.map((m) => m.value));
    }
  });

  it("attack: a learner claims to be Gnocchi's admin (no password, a wrong one, their own) and is refused", async () => {
    const users = gnocchiUsers(loadCourse(courseFile));
    const status = (user: string, password: string) =>
      fetch(`${GNOCCHI}/v1/archive_policy`, { headers: { authorization: basicAuthorization({ user, password }) }, signal: AbortSignal.timeout(10_000) }).then((r) => r.status);
    expect(await status('admin', '')).toBe(401);
    expect(await status('admin', 'x'.repeat(32))).toBe(401);
    expect(await status('admin', users.learners.ann!)).toBe(401);
    expect(await status('ann', users.learners.ben!)).toBe(401);
    // Controls: the right passwords get in.
    expect(await status('admin', users.admin)).toBe(200);
    expect(await status('ann', users.learners.ann!)).toBe(200);
  });

  it("attack: a learner deletes or writes another learner's Gnocchi resource and is refused; the data stays", async () => {
    const course = loadCourse(courseFile);
    const as = (learner: 'ann' | 'ben') => gnocchiLearner(course, learner);
    const call = (learner: 'ann' | 'ben', method: string, path: string, body?: unknown) => gnocchiRequest(GNOCCHI, as(learner), method, path, body, 30_000);
    const id = `ann-${randomUUID().slice(0, 8)}`;
    expect((await call('ann', 'POST', '/v1/resource/generic', { id, metrics: { x: { archive_policy_name: 'high' } } })).status).toBe(201);
    expect((await call('ann', 'POST', `/v1/resource/generic/${id}/metric/x/measures`, [{ timestamp: '2026-01-01T00:00:00', value: 7 }])).status).toBe(202);
    // A name is the creator's own (Gnocchi maps it to a UUID per creator): by name ben finds nothing,
    // so he attacks by the resource's UUID, which any listing shows.
    expect((await call('ben', 'DELETE', `/v1/resource/generic/${id}`)).status).toBe(404);
    const uuid = ((await (await call('ann', 'GET', `/v1/resource/generic/${id}`)).json()) as { id: string }).id;
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call('ben', 'DELETE', `/v1/resource/generic/${uuid}`)).status).toBe(403);
    expect((await call('ben', 'POST', `/v1/resource/generic/${uuid}/metric/x/measures`, [{ timestamp: '2026-01-01T00:00:01', value: 666 }])).status).toBe(403);
    expect((await call('ben', 'PATCH', `/v1/resource/generic/${uuid}`, { ended_at: '2026-01-02T00:00:00' })).status).toBe(403);
    // Archive policies are the course's: a learner cannot delete or make one.
    expect((await call('ben', 'DELETE', '/v1/archive_policy/high')).status).toBe(403);
    const measures = (await (await call('ann', 'GET', `/v1/resource/generic/${id}/metric/x/measures?refresh=true&granularity=1`)).json()) as Array<[string, number, number]>;
    expect(measures.map((m) => m[2])).toEqual([7]);
    expect((await call('ann', 'DELETE', `/v1/resource/generic/${id}`)).status).toBe(204);
  });

  it("attack: root in a learner's VM pushes to the Pushgateway, writes to Gnocchi or silences Alertmanager: none answers", async () => {
    const services = ['pushgateway', 'gnocchi', 'alertmanager', 'prometheus'] as const;
    const portOf = { pushgateway: 9091, gnocchi: 8041, alertmanager: 9093, prometheus: 9090 };
    const probe: Array<[string, number, string]> = [];
    for (const service of services) {
      const info = await docker.getContainer(`${ID}-${service}`).inspect();
      for (const [network, settings] of Object.entries(info.NetworkSettings.Networks)) probe.push([settings.IPAddress, portOf[service], `${service} on ${network}`]);
      probe.push([service, portOf[service], `${service} by name`]);
    }
    const script = `
import json, socket
out = []
for host, port, _ in ${JSON.stringify(probe)}:
    try:
        socket.create_connection((host, port), timeout=3).close(); out.append("open")
    except OSError as e:
        out.append(type(e).__name__)
print(json.dumps(out))`;
    const whoami = (await execIn(`${ID}-ann-vm1`, ['id', '-u'])).trim();
    expect(whoami).toBe('0');
    const results = JSON.parse((await execIn(`${ID}-ann-vm1`, ['python3', '-c', script])).trim().split('\n').pop()!) as string[];
    const open = probe.filter((_, i) => results[i] === 'open').map((p) => p[2]);
    // Control: Prometheus, which scrapes the VMs, is the one service on their network.
    expect(open).toEqual([`prometheus on ${ID}-monitoring`, 'prometheus by name']);
  });

  it("attack: root in a learner's VM reads Prometheus with no login, a wrong password or a classmate's name; a learner's own login opens Alertmanager: all refused", async () => {
    const users = gnocchiUsers(loadCourse(courseFile));
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    // From inside ann's VM, the one monitoring service on her network.
    const tries: Array<[string, string | null]> = [
      ['no login', null],
      ['admin without its password', basic('admin', '')],
      ["ben's name with ann's password", basic('ben', users.learners.ann!)],
      ["ann's name, wrong password", basic('ann', `${users.learners.ann!}x`)],
      ['ann herself', basic('ann', users.learners.ann!)],
    ];
    const script = `
import json, urllib.request, urllib.error
out = []
for _, auth in json.loads(${JSON.stringify(JSON.stringify(tries))}):
    request = urllib.request.Request("http://prometheus:9090/api/v1/query?query=up")
    if auth: request.add_header("Authorization", auth)
    try:
        out.append(urllib.request.urlopen(request, timeout=5).status)
    except urllib.error.HTTPError as e:
        out.append(e.code)
print(json.dumps(out))`;
    const statuses = JSON.parse((await execIn(`${ID}-ann-vm1`, ['python3', '-c', script])).trim().split('\n').pop()!) as number[];
    // Control: the same request with her own login is answered, so the 401s are the login's doing.
    expect(Object.fromEntries(tries.map(([what], i) => [what, statuses[i]]))).toEqual({
      'no login': 401, 'admin without its password': 401, "ben's name with ann's password": 401, "ann's name, wrong password": 401, 'ann herself': 200,
    });
    // Alertmanager (published on 127.0.0.1 for the instructor): a learner's login cannot silence alerts.
    const silence = (auth?: string) => fetch(`http://127.0.0.1:${PORTS.alertmanager}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'InstanceDown', isRegex: false }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 60_000).toISOString(), createdBy: 'ann', comment: 'attack' }),
      signal: AbortSignal.timeout(5000),
    });
    expect((await silence()).status).toBe(401);
    expect((await silence(basic('ann', users.learners.ann!))).status).toBe(401);
    const listed = await fetch(`http://127.0.0.1:${PORTS.alertmanager}/api/v2/silences`, { headers: { authorization: basic('admin', users.admin) }, signal: AbortSignal.timeout(5000) });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as Array<{ createdBy: string }>).filter((s) => s.createdBy === 'ann')).toEqual([]);
    // Prometheus still sends its alerts and scrapes Alertmanager with its own login.
    const admin = gnocchiAdmin(loadCourse(courseFile));
    expect((await promQuery(PORTS.prometheus, 'up{job=~"alertmanager|prometheus"}', admin)).map((s) => `${s.labels.job}=${s.value}`).sort()).toEqual(['alertmanager=1', 'prometheus=1']);
    expect((await promQuery(PORTS.prometheus, 'prometheus_notifications_alertmanagers_discovered', admin))[0]?.value).toBe(1);
  });

  it("handout: each learner's sheet logs them in with the command it prints, their netrc logs them in to Gnocchi as themselves; files 0600 in a 0700 folder, no classmate's password in anyone's files", async () => {
    const out = join(dir, 'handouts');
    const run = await resops(['handout', courseFile, '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const written = JSON.parse(run.stdout) as { dir: string; instructor: string; instructorPrintable: string; learners: Array<{ learner: string; sheet: string; printable: string; login: string }> };
    expect(written.learners.map((l) => l.learner)).toEqual(['ann', 'ben']);
    expect((statSync(out).mode & 0o777).toString(8)).toBe('700');
    const users = gnocchiUsers(loadCourse(courseFile));
    for (const { learner, sheet, printable, login } of written.learners) {
      for (const file of [sheet, printable, login]) expect([file, (statSync(file).mode & 0o777).toString(8)]).toEqual([file, '600']);
      const text = readFileSync(sheet, 'utf8');
      const ssh = /`(ssh -p \d+ \S+@127\.0\.0\.1)`/.exec(text)?.[1];
      expect(ssh, text).toBe(`ssh -p ${sshPort(learner === 'ann' ? 0 : 1, 1)} ${learner}@127.0.0.1`);
      const [, port] = /-p (\d+)/.exec(ssh!)!;
      const logged = await sshExec(Number(port), learner, keys[learner as 'ann' | 'ben'], 'hostname');
      expect(logged.stdout.trim()).toBe(`${ID}-${learner}-vm1`);
      const netrc = readFileSync(login, 'utf8');
      const [, user, password] = /^machine 127\.0\.0\.1 login (\S+) password (\S+)\n$/.exec(netrc)!;
      expect(user).toBe(learner);
      const answer = await fetch(`${GNOCCHI}/v1/resource/generic`, { headers: { authorization: basicAuthorization({ user: user!, password: password! }) }, signal: AbortSignal.timeout(10_000) });
      expect(answer.status).toBe(200);
      // The page to print gives the same command.
      const page = readFileSync(printable, 'utf8');
      expect(page).toContain(`<code>${ssh}</code>`);
      const others = [users.admin, ...Object.entries(users.learners).filter(([id]) => id !== learner).map(([, p]) => p)];
      for (const other of others) expect(text + netrc + page).not.toContain(other);
    }
    const instructor = readFileSync(written.instructor, 'utf8');
    expect(instructor).toContain(`ssh -p ${sshPort(0, 1)} ann@127.0.0.1`);
    expect(instructor).not.toContain(users.admin);
  });

  it('SSH with the roster key works (with sudo); the other learner key and passwords are refused', async () => {
    const ok = await sshExec(sshPort(0, 1), 'ann', keys.ann, 'id -un; hostname; sudo -n id -u; python3 -c "print(42)"');
    expect(ok.code).toBe(0);
    expect(ok.stdout.split('\n').slice(0, 4)).toEqual(['ann', `${ID}-ann-vm1`, '0', '42']);
    await expect(sshExec(sshPort(0, 1), 'ann', keys.ben, 'true')).rejects.toThrow(/authentication methods failed/);
    const password = await tryPassword(sshPort(0, 1), 'ann', 'ann');
    expect(password.loggedIn).toBe(false);
    expect(password.methods).toEqual(['publickey']);
    const root = await tryPassword(sshPort(1, 1), 'root', '');
    expect(root.loggedIn).toBe(false);
  });

  it("learner A's VM cannot reach learner B's VM on any of B's networks; both are scraped", async () => {
    const ben = await docker.getContainer(`${ID}-ben-vm1`).inspect();
    const benAddresses = Object.values(ben.NetworkSettings.Networks).map((n) => n.IPAddress);
    expect(benAddresses).toHaveLength(2);
    const ann = await docker.getContainer(`${ID}-ann-vm1`).inspect();
    const annOwn = ann.NetworkSettings.Networks[`${ID}-ann`]!.IPAddress;
    const probe = [...benAddresses.map((a) => [a, 22]), [annOwn, 22], ...benAddresses.map((a) => [a, 9100])];
    const script = `
import json, socket, sys
out = []
for host, port in ${JSON.stringify(probe)}:
    try:
        socket.create_connection((host, port), timeout=3).close(); out.append("open")
    except OSError as e:
        out.append(type(e).__name__)
print(json.dumps(out))`;
    const results = JSON.parse((await execIn(`${ID}-ann-vm1`, ['python3', '-c', script])).trim().split('\n').pop()!) as string[];
    const byProbe = probe.map((p, i) => `${p[0]}:${p[1]} ${results[i]}`);
    // B's SSH: unreachable on every address B has.
    expect(results.slice(0, benAddresses.length).every((r) => r !== 'open'), byProbe.join(', ')).toBe(true);
    // Controls: the probe does reach A's own sshd, and B's node-exporter on the monitoring network.
    expect(results[benAddresses.length], byProbe.join(', ')).toBe('open');
    expect(results.slice(benAddresses.length + 1).filter((r) => r === 'open'), byProbe.join(', ')).toHaveLength(1);
    const up = await promQuery(PORTS.prometheus, 'up{job="node"} == 1', gnocchiAdmin(loadCourse(courseFile)));
    expect(up.map((s) => s.labels.learner).sort()).toEqual(['ann', 'ben']);
  });

  it('a second up changes nothing and says so', async () => {
    const before = (await labelled()).containers.map((c) => c.Id).sort();
    const run = await resops(['up', courseFile]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('nothing to change: 4 networks and 7 containers are up to date');
    expect(run.stdout).toContain(`course ${ID}: no changes`);
    expect((await labelled()).containers.map((c) => c.Id).sort()).toEqual(before);
  }, 120_000);

  it('the dashboard shows the lab\'s machines; a learner VM that stops turns red in the open page, then its InstanceDown alert shows once Prometheus fires it, without a reload', async () => {
    const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
    if (!chromiumPath && process.env.CI) throw new Error('CI: no chromium; scripts/setup-host.sh installs it');
    const course = loadCourse(courseFile);
    const exercises = exercisesFor(loadCatalog(), 'local');
    const store = EventStore.open(join(dir, 'dashboard', 'events.jsonl'));
    // Progress as learners' commands would have reported it, so the page shows a class at work.
    const [first, second] = exercises[0]!.steps;
    const at = (s: number) => new Date(Date.now() - (30 - s) * 60_000).toISOString();
    store.accept('ann', [
      { learner: 'ann', seq: 1, at: at(1), kind: 'start', exercise: exercises[0]!.id, step: first!.id },
      { learner: 'ann', seq: 2, at: at(2), kind: 'check', exercise: exercises[0]!.id, step: first!.id, passed: true, message: 'ok' },
      { learner: 'ann', seq: 3, at: at(29), kind: 'start', exercise: exercises[0]!.id, step: second!.id },
    ]);
    store.accept('ben', [1, 2, 3, 4].map((seq) => ({ learner: 'ben', seq, at: at(25 + seq), kind: seq === 1 ? ('start' as const) : ('check' as const), exercise: exercises[0]!.id, step: first!.id, ...(seq > 1 ? { passed: false, message: 'not yet' } : {}) })));
    const { app, close, refreshHealth } = dashboardApp({ course, exercises, store, exercisesDir: join(dir, 'no-local-progress'), tokenHashes: () => ({}), health: localHealth(course), healthEveryMs: 2000 });
    await refreshHealth();
    const { server, url } = await listen(app, '127.0.0.1', 0);
    const browser = chromiumPath ? await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] }) : undefined;
    try {
      const view = (await (await fetch(`${url}/api/class`)).json()) as ClassView;
      const states = Object.fromEntries(view.health!.machines.map((m) => [m.name, m.state]));
      expect(states).toMatchObject({ [`${ID}-ann-vm1`]: 'ok', [`${ID}-ben-vm1`]: 'ok', [`${ID}-prometheus`]: 'ok' });
      if (!browser) return;
      const page = await browser.newPage({ viewport: { width: 1400, height: 400 } });
      await page.goto(url);
      await page.evaluate(() => Object.assign(globalThis, { loadedOnce: true }));
      expect(await page.getAttribute(`[data-vm="${ID}-ben-vm1"]`, 'data-state')).toBe('ok');
      await docker.getContainer(`${ID}-ben-vm1`).stop({ t: 1 });
      // Within two health rounds of 2 s, and the page was not reloaded.
      await page.waitForSelector(`[data-vm="${ID}-ben-vm1"][data-state="down"]`, { timeout: 15_000 });
      expect(await page.getAttribute(`[data-vm="${ID}-ann-vm1"]`, 'data-state')).toBe('ok');
      expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
      expect(await page.getAttribute('tr[data-learner="ben"]', 'class')).toBe('stuck');
      // Prometheus' InstanceDown (`for: 2m`) reaches the page as a firing alert naming the learner.
      expect(await page.locator('#alerts li[data-alert="InstanceDown"]').count()).toBe(0);
      await page.waitForSelector('#alerts li[data-alert="InstanceDown"][data-learner="ben"]', { timeout: 240_000 });
      expect(await page.locator('#alerts li[data-learner="ann"]').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
      await page.screenshot({ path: join(ROOT, 'docs', 'dashboard.png'), fullPage: true });
    } finally {
      await browser?.close();
      close();
      server.close();
      await docker.getContainer(`${ID}-ben-vm1`).start().catch(() => undefined);
    }
  }, 360_000);

  it('up interrupted once the networks exist converges when run again', async () => {
    expect((await resops(['down', courseFile])).code).toBe(0);
    // Its own process group, so the kill reaches the tsx child the CLI starts.
    const child = spawn(process.execPath, [BIN, 'up', courseFile], { cwd: ROOT, stdio: 'ignore', detached: true });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let killedMidway = false;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const { networks } = await labelled();
      if (networks.length === 4) {
        process.kill(-child.pid!, 'SIGKILL');
        killedMidway = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await exited;
    expect(killedMidway).toBe(true);
    const half = await labelled();
    expect(half.networks).toHaveLength(4);
    const running = half.containers.filter((c) => c.State === 'running').length;
    expect(running).toBeLessThan(7);

    const run = await resops(['up', courseFile, '--json']);
    const result = json<UpJson>(run);
    expect(run.code, run.stderr).toBe(0);
    expect(result.healthy).toBe(true);
    expect(result.changed).toBe(true);
    const after = await labelled();
    expect(after.containers.filter((c) => c.State === 'running')).toHaveLength(7);
    expect(after.networks).toHaveLength(4);
  }, 300_000);

  it('down removes everything labelled with the course and proves it; a second down is a no-op', async () => {
    const first = await resops(['down', courseFile, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const result = json<{ removed: string[]; left: string[]; clean: boolean }>(first);
    expect(result.clean).toBe(true);
    expect(result.left).toEqual([]);
    expect(result.removed.filter((r) => r.startsWith('container '))).toHaveLength(7);
    const left = await labelled();
    expect(left.containers.length + left.networks.length).toBe(0);
    // Built images stay for the next `up` unless `--images`.
    expect((await docker.getImage('resops/node:latest').inspect()).Config.Labels?.['resops.image']).toBe('node');

    const second = await resops(['down', courseFile]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`nothing labelled resops.course=${ID}: nothing to remove`);
  }, 120_000);

  it('plan lists what up would create, and changes nothing', async () => {
    const run = await resops(['plan', courseFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`create   network ${ID}-ann`);
    expect(run.stdout).toContain(`create   container ${ID}-ben-vm1`);
    const left = await labelled();
    expect(left.containers.length + left.networks.length).toBe(0);
  });

  it('a failing image build is reported with its error and the last build output', async () => {
    const contexts = join(dir, 'contexts');
    mkdirSync(join(contexts, 'base'), { recursive: true });
    writeFileSync(join(contexts, 'base', 'Dockerfile'), 'FROM debian:bookworm-slim\nRUN echo resops-broken-marker && exit 3\n');
    const context = await readContext('base', contexts);
    const tag = `resops-test/broken-${suffix}:latest`;
    const failure = await buildImage(docker, context, tag, 'x', stderrProgress(() => undefined)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetError);
    expect((failure as TargetError).message).toContain(`building ${tag} failed`);
    expect((failure as TargetError).message).toContain('returned a non-zero code: 3');
    expect((failure as TargetError).message).toContain('resops-broken-marker');
    expect((failure as TargetError).hint).toContain('run `up` again');
    await expect(docker.getImage(tag).inspect()).rejects.toThrow();
  });

  it('promtool from the toolbox image accepts every rule file in monitoring/rules', async () => {
    const files = ruleFiles().map((r) => join(MONITORING_DIR, 'rules', r.name));
    const run = await runTool('promtool', ['check', 'rules', ...files], { forceToolbox: true, cwd: ROOT, docker });
    expect(run.where).toBe('toolbox');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((run.stdout + run.stderr).match(/SUCCESS/g)).toHaveLength(files.length);
    const broken = await runTool('promtool', ['check', 'rules', join(MONITORING_DIR, 'alertmanager.yml')], { forceToolbox: true, cwd: ROOT, docker });
    expect(broken.code).not.toBe(0);
  }, 300_000);
});
