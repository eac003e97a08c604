/**
 * Servers that run (`--servers containers`), measured on the rehearsal cloud through its APIs:
 * - create → SSH answering on the floating IP, for N servers created at once (median, max);
 * - memory per idle server (Docker's view of each server's container, page cache excluded);
 * - how many idle servers this machine holds with SSH on a floating IP still answering in under
 *   2 s (servers are added in batches until a sample of them answers slower, or the cap).
 * SSH goes from the host to each floating IP only after the route check (src/cloud/route-check.ts).
 * Part of `npm run bench:cloud`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ensureAutomationKey } from '../src/access/admin-access.js';
import { inotifyInstanceLimit, inotifyInstancesOf } from '../src/cloud/host-limits.js';
import { requireRouteIntoCloud } from '../src/cloud/route-check.js';
import { DEFAULTS } from '../src/course/spec.js';
import type { OpenStackClient } from '../src/openstack/client.js';
import type { FloatingIp, Network, SecurityGroup, Subnet } from '../src/openstack/network.js';
import { runCommand } from '../src/process/run-command.js';
import { liftQuotas } from './cloud-apply.js';

export interface ServersResult {
  atOnce: number;
  /** Seconds from the create request to the first successful `ssh … true` on the floating IP. */
  createToSshSeconds: { median: number; max: number; samples: number[] };
  idleMemoryMiB: { median: number; max: number };
  /** Idle servers running when the sample's slowest SSH round trip was still under 2 s. */
  mostIdleUnder2s: number;
  /** Whether the cap was reached before SSH slowed down (the real limit is then higher). */
  capReached: boolean;
  /** Slowest SSH round trip of the sample at each count. */
  sshAtCount: Array<{ servers: number; slowestSshSeconds: number }>;
  /** inotify instances an idle server holds, and the host's per-user limit all servers share. */
  inotify: { perServerMedian: number; hostLimit: number | null };
  /** Why servers stopped being added before SSH slowed down (a server that never booted). */
  stoppedBy?: string;
}

const SSH_LIMIT_S = 2;
const BOOT_LIMIT_MS = 600_000;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function benchServers(
  admin: OpenStackClient,
  docker: Docker,
  cloud: string,
  options: { atOnce: number; cap: number; batch: number },
  log: (line: string) => void,
): Promise<ServersResult> {
  // Nova's default of 10 instances (and 50 floating IPs) would end the count before the machine does.
  await liftQuotas(admin);
  const keysDir = mkdtempSync(join(tmpdir(), 'resops-bench-keys-'));
  const key = ensureAutomationKey({ dir: keysDir, stateDir: keysDir, id: 'bench' });
  const external = (await admin.network.listNetworks({ 'router:external': 'true' }, true)).find((n) => n.name === DEFAULTS.cloud.externalNetwork);
  if (!external) throw new Error(`the cloud has no external network ${DEFAULTS.cloud.externalNetwork}`);
  const network = await admin.network.create<Network>('networks', { name: 'bench-srv-net' });
  const subnet = await admin.network.create<Subnet>('subnets', { name: 'bench-srv-subnet', network_id: network.id, ip_version: 4, cidr: '10.77.0.0/22' });
  const router = await admin.network.create<{ id: string }>('routers', { name: 'bench-srv-router', external_gateway_info: { network_id: external.id } });
  await admin.network.addRouterInterface(router.id, subnet.id);
  const group = await admin.network.create<SecurityGroup>('security-groups', { name: 'bench-srv-ssh' });
  await admin.network.createSecurityGroupRule({ security_group_id: group.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' });
  await admin.compute.deleteKeypair('bench-srv-key');
  await admin.compute.createKeypair('bench-srv-key', key.publicKey);
  const flavor = (await admin.compute.listFlavors()).find((f) => f.name === 'm1.tiny');
  const image = (await admin.image.listImages()).find((i) => i.name === DEFAULTS.cloud.image);
  if (!flavor || !image) throw new Error('the cloud has no m1.tiny flavor or no debian-12 image (seeded by `resops cloud up`)');

  const servers: Array<{ id: string; port: string; floating: string }> = [];
  let inotifyEach = 0;
  const sshOnce = async (address: string, connectTimeoutS: number) => {
    const started = performance.now();
    const result = await runCommand('ssh', [
      '-i', key.privateKeyFile, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
      '-o', `ConnectTimeout=${connectTimeoutS}`, '-o', 'LogLevel=ERROR', `${DEFAULTS.cloud.imageUser}@${address}`, 'true',
    ], { timeoutMs: (connectTimeoutS + 10) * 1000, check: false });
    return { ok: result.code === 0, seconds: (performance.now() - started) / 1000 };
  };

  /** Creates `count` servers at once; resolves with create → SSH seconds of each. */
  async function createBatch(count: number): Promise<number[]> {
    const start = servers.length;
    // Each server is on record as soon as it exists, so that cleanup finds it whatever fails next.
    const settled = await Promise.allSettled(Array.from({ length: count }, async (_, i) => {
      const n = start + i;
      const port = await admin.network.create<{ id: string }>('ports', { name: `bench-srv-${n}`, network_id: network.id, security_groups: [group.id] });
      const requested = performance.now();
      const { id } = await admin.compute.createServer({ name: `bench-srv-${n}`, flavorId: flavor!.id, imageId: image!.id, networks: [{ port: port.id }], keyName: 'bench-srv-key' });
      const record = { id, port: port.id, floating: '' };
      servers.push(record);
      return { record, requested };
    }));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw new Error(`creating ${count} servers at once: ${String((failed.reason as Error).message ?? failed.reason)}`);
    // One floating IP at a time: ten at once kept this cloud's single Neutron API worker up to
    // 76 s on some of them, past the client's 60 s bound (measured; see docs/rehearsal-cloud.md).
    const made: Array<{ id: string; port: string; floating: string; requested: number }> = [];
    for (const r of settled as Array<PromiseFulfilledResult<{ record: { id: string; port: string; floating: string }; requested: number }>>) {
      r.value.record.floating = (await admin.network.create<FloatingIp>('floatingips', { floating_network_id: external!.id, port_id: r.value.record.port })).floating_ip_address;
      made.push({ ...r.value.record, requested: r.value.requested });
    }
    return Promise.all(made.map(async (s) => {
      await requireRouteIntoCloud(docker, s.floating, cloud);
      const deadline = s.requested + BOOT_LIMIT_MS;
      for (;;) {
        const server = await admin.compute.getServer(s.id);
        if (server?.status === 'ERROR') throw new Error(`server ${s.id} went to ERROR: ${server.fault ?? ''}`);
        if (server?.status === 'ACTIVE' && (await sshOnce(s.floating, 3)).ok) return (performance.now() - s.requested) / 1000;
        if (performance.now() > deadline) throw new Error(`server ${s.id}: no SSH on ${s.floating} within ${BOOT_LIMIT_MS / 1000} s (${await inotifyLine()})`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }));
  }

  /** inotify instances each server's processes hold (host PIDs from `docker top`). */
  async function inotifyPerServer(): Promise<number[]> {
    const list = await docker.listContainers({ filters: { label: [`resops.cloud=${cloud}`, 'resops.role=cloud-server'] } });
    return Promise.all(list.map(async (c) => {
      const top = (await docker.getContainer(c.Id).top()) as { Titles: string[]; Processes: string[][] };
      const column = top.Titles.indexOf('PID');
      return inotifyInstancesOf(top.Processes.map((p) => Number(p[column])).filter(Number.isInteger));
    }));
  }

  /** The host's inotify limit next to what the servers hold: the likely cause when a server never answers. */
  async function inotifyLine(counted?: number[]): Promise<string> {
    const limit = inotifyInstanceLimit();
    const per = counted ?? (await inotifyPerServer());
    return `inotify: ${per.length} servers hold ${per.reduce((a, b) => a + b, 0)} instances (median ${median(per)} each); the host allows ${limit ?? 'unknown'} per user (fs.inotify.max_user_instances), shared by every root process`;
  }

  async function idleMemory(): Promise<number[]> {
    const list = await docker.listContainers({ filters: { label: [`resops.cloud=${cloud}`, 'resops.role=cloud-server'] } });
    return Promise.all(list.map(async (c) => {
      const stats = (await docker.getContainer(c.Id).stats({ stream: false })) as { memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number } } };
      const usage = stats.memory_stats?.usage ?? 0;
      return (usage - (stats.memory_stats?.stats?.inactive_file ?? stats.memory_stats?.stats?.cache ?? 0)) / 2 ** 20;
    }));
  }

  try {
    log(`servers: ${options.atOnce} created at once, create → SSH on the floating IP…`);
    const samples = await createBatch(options.atOnce);
    log(`  median ${round(median(samples))} s, max ${round(Math.max(...samples))} s`);
    await new Promise((resolve) => setTimeout(resolve, 20_000)); // idle: boot work done
    const memory = await idleMemory();
    log(`  idle memory per server: median ${round(median(memory))} MiB`);
    const perServer = await inotifyPerServer();
    inotifyEach = median(perServer);
    log(`  ${await inotifyLine(perServer)}`);

    const sshAtCount: ServersResult['sshAtCount'] = [];
    let mostIdle = servers.length;
    let capReached = true;
    let stoppedBy: string | undefined;
    for (;;) {
      // The slowest of up to 10 servers spread over all of them, the first ones included.
      const step = Math.max(1, Math.floor(servers.length / 10));
      const sample = servers.filter((_, i) => i % step === 0).slice(0, 10);
      const times = await Promise.all(sample.map((s) => sshOnce(s.floating, 10)));
      const slowest = Math.max(...times.map((t) => (t.ok ? t.seconds : Infinity)));
      sshAtCount.push({ servers: servers.length, slowestSshSeconds: round(slowest) });
      log(`  ${servers.length} idle servers: slowest SSH round trip ${round(slowest)} s`);
      if (slowest >= SSH_LIMIT_S) {
        capReached = false;
        break;
      }
      mostIdle = servers.length;
      if (servers.length >= options.cap) break;
      try {
        await createBatch(Math.min(options.batch, options.cap - servers.length));
      } catch (error) {
        // A server of the new batch that never boots is the limit too, of another kind.
        stoppedBy = (error as Error).message;
        capReached = false;
        log(`  stopped adding servers: ${stoppedBy}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
    return {
      inotify: { perServerMedian: inotifyEach, hostLimit: inotifyInstanceLimit() ?? null },
      ...(stoppedBy ? { stoppedBy } : {}),
      atOnce: options.atOnce,
      createToSshSeconds: { median: round(median(samples)), max: round(Math.max(...samples)), samples: samples.map(round) },
      idleMemoryMiB: { median: round(median(memory)), max: round(Math.max(...memory)) },
      mostIdleUnder2s: mostIdle,
      capReached,
      sshAtCount,
    };
  } finally {
    log(`servers: deleting ${servers.length}…`);
    await Promise.all(servers.map((s) => admin.compute.deleteServer(s.id)));
    const deadline = Date.now() + 300_000;
    while ((await admin.compute.listServers()).some((s) => s.name.startsWith('bench-srv-')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    for (const f of await admin.network.listFloatingIps()) if (servers.some((s) => s.port === f.port_id)) await admin.network.delete('floatingips', f.id);
    for (const s of servers) await admin.network.delete('ports', s.port);
    rmSync(keysDir, { recursive: true, force: true });
  }
}

export function renderServers(result: ServersResult): string[] {
  return [
    `servers created at once   ${result.atOnce}`,
    `create → SSH on floating  median ${result.createToSshSeconds.median} s, max ${result.createToSshSeconds.max} s`,
    `idle memory per server    median ${result.idleMemoryMiB.median} MiB, max ${result.idleMemoryMiB.max} MiB`,
    `most idle servers, SSH < ${SSH_LIMIT_S} s   ${result.mostIdleUnder2s}${result.capReached ? ' (the cap: SSH never slowed down; raise --max-servers)' : ''}`,
    ...result.sshAtCount.map((s) => `  ${String(s.servers).padStart(4)} servers: slowest SSH ${s.slowestSshSeconds} s`),
    ...(result.stoppedBy ? [`  stopped: ${result.stoppedBy}`] : []),
    `inotify per idle server   median ${result.inotify.perServerMedian}; host limit ${result.inotify.hostLimit ?? 'unknown'} per user (fs.inotify.max_user_instances), shared by all servers`,
  ];
}
