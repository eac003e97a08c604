/**
 * `status --target openstack`'s health rules with fake probes (no cloud, no network: the probes
 * record what they were asked). The real probes run against the rehearsal cloud's servers in the
 * cloud suite (test/cloud/terraform-course.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CourseServer } from '../src/openstack/servers.js';
import { renderServerHealth, serverHealth, type HealthProbes } from '../src/targets/server-health.js';

function server(name: string, fields: Partial<CourseServer> = {}): CourseServer {
  return { id: `id-${name}`, name, status: 'ACTIVE', fixedAddresses: [], floatingAddresses: [], flavor: 'm1.small', ...fields };
}

const servers = [
  server('c-alice-vm1', { learner: 'alice', role: 'learner', floatingAddresses: ['172.24.4.11'] }),
  server('c-alice-vm2', { learner: 'alice', role: 'learner', status: 'SHUTOFF', floatingAddresses: ['172.24.4.12'] }),
  server('c-bob-vm1', { learner: 'bob', role: 'learner', floatingAddresses: ['172.24.4.13'] }),
  server('c-monitoring', { role: 'monitoring', floatingAddresses: ['172.24.4.20'] }),
  server('c-worker1', { role: 'worker' }),
];

/** Fake probes: SSH answers everywhere but `silent`; Prometheus holds `up`; `forbidden` fails the route check. */
function fakeProbes(options: { up?: Record<string, number>; promError?: string; silent?: string[]; forbidden?: string[] } = {}) {
  const asked: string[] = [];
  const probes: HealthProbes = {
    guard: async (address) => {
      asked.push(`guard ${address}`);
      if (options.forbidden?.includes(address)) throw new Error(`refusing to send to ${address}: the host's route to it is the default route (via eth0)`);
    },
    ssh: async (address) => {
      asked.push(`ssh ${address}`);
      const silent = options.silent?.includes(address);
      return { check: `SSH answers on ${address}:22`, ok: !silent, detail: silent ? 'ECONNREFUSED' : 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' };
    },
    nodeUp: async (url) => {
      asked.push(`prometheus ${url}`);
      return options.promError ? { up: new Map(), error: options.promError } : { up: new Map(Object.entries(options.up ?? {})) };
    },
  };
  return { probes, asked };
}

const allUp = { 'c-alice-vm1:9100': 1, 'c-alice-vm2:9100': 0, 'c-bob-vm1:9100': 1, 'c-monitoring:9100': 1, 'c-worker1:9100': 1 };

describe('server health on the openstack target (fake probes)', () => {
  it('SSH on each running server\'s floating IP after the route check; `up` from the monitoring host\'s Prometheus', async () => {
    const { probes, asked } = fakeProbes({ up: allUp });
    const report = await serverHealth(servers, { monitoringEnabled: true }, probes);
    expect(report.prometheus).toBe('http://172.24.4.20:9090');
    expect(report.servers.map((s) => [s.server, s.ssh?.ok, s.scraped?.ok, s.ok])).toEqual([
      ['c-alice-vm1', true, true, true],
      // Stopped: no SSH attempt, and Prometheus' `up == 0` is what InstanceDown fires on.
      ['c-alice-vm2', undefined, false, false],
      ['c-bob-vm1', true, true, true],
      ['c-monitoring', true, true, true],
      // No floating IP: reached through the monitoring host, so only its scrape is checked.
      ['c-worker1', undefined, true, true],
    ]);
    expect(report.ok).toBe(false);
    // Nothing is sent to an address before its route was checked, and a stopped server is not tried.
    for (const line of asked.filter((a) => a.startsWith('ssh '))) expect(asked.indexOf(`guard ${line.slice(4)}`)).toBeLessThan(asked.indexOf(line));
    expect(asked).not.toContain('ssh 172.24.4.12');
    const lines = renderServerHealth(report);
    expect(lines[0]).toMatch(/^owner\s+server\s+ssh\s+scraped$/);
    expect(lines.find((l) => l.includes('c-alice-vm2'))).toMatch(/✖ SHUTOFF\s+✖ up == 0: its node-exporter does not answer/);
    expect(lines.find((l) => l.includes('c-worker1'))).toMatch(/^\(worker\)\s+c-worker1\s+- no floating IP\s+✔ up == 1/);
  });

  it('names what is wrong: a silent sshd, a server Prometheus has not discovered, a Prometheus that does not answer', async () => {
    const partial = await serverHealth(servers.filter((s) => s.status === 'ACTIVE'), { monitoringEnabled: true }, fakeProbes({ up: { 'c-monitoring:9100': 1, 'c-alice-vm1:9100': 1, 'c-worker1:9100': 1 }, silent: ['172.24.4.11'] }).probes);
    expect(partial.servers.find((s) => s.server === 'c-alice-vm1')!.ssh).toMatchObject({ ok: false, detail: 'ECONNREFUSED' });
    expect(partial.servers.find((s) => s.server === 'c-bob-vm1')!.scraped).toMatchObject({ ok: false, detail: expect.stringMatching(/^not a target: discovery has not found it/) });
    const noProm = await serverHealth(servers, { monitoringEnabled: true }, fakeProbes({ promError: 'ECONNREFUSED' }).probes);
    expect(noProm.servers.every((s) => s.scraped?.ok === false && s.scraped.detail === 'Prometheus did not answer: ECONNREFUSED')).toBe(true);
  });

  it('a route that does not lead into the cloud: nothing is sent, and the check says why', async () => {
    const { probes, asked } = fakeProbes({ up: allUp, forbidden: ['172.24.4.11', '172.24.4.20'] });
    const report = await serverHealth(servers, { monitoringEnabled: true }, probes);
    expect(asked).not.toContain('ssh 172.24.4.11');
    expect(asked.some((a) => a.startsWith('prometheus '))).toBe(false);
    expect(report.servers.find((s) => s.server === 'c-alice-vm1')!.ssh).toMatchObject({ ok: false, detail: expect.stringMatching(/^refusing to send to 172\.24\.4\.11/) });
    expect(report.servers.find((s) => s.server === 'c-bob-vm1')!.scraped).toMatchObject({ ok: false, detail: expect.stringMatching(/^refusing to send to 172\.24\.4\.20/) });
  });

  it('a course without monitoring checks SSH only; a stopped monitoring host is named', async () => {
    const bare = await serverHealth(servers.filter((s) => s.role === 'learner' && s.status === 'ACTIVE'), { monitoringEnabled: false }, fakeProbes().probes);
    expect(bare.servers.map((s) => [s.server, s.ssh?.ok, s.scraped])).toEqual([['c-alice-vm1', true, undefined], ['c-bob-vm1', true, undefined]]);
    expect(bare.ok).toBe(true);
    const stopped = servers.map((s) => (s.role === 'monitoring' ? { ...s, status: 'SHUTOFF' } : s));
    const report = await serverHealth(stopped, { monitoringEnabled: true }, fakeProbes({ up: allUp }).probes);
    expect(report.servers.find((s) => s.server === 'c-bob-vm1')!.scraped!.detail).toBe('the monitoring host is SHUTOFF');
  });
});
