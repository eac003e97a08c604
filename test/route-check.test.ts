/**
 * The network rule for rehearsal-cloud addresses: the host sends to a floating IP only when its
 * route leads into a network the cloud made, and a cloud never takes a range the host needs.
 * Routing tables here are /proc/net/route texts in the kernel's own format; the Docker and DNS
 * parts run against this machine's real Docker and resolver.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { hostAddressesIn, inCidr } from '../src/cloud/host-addresses.js';
import { parseProcRoutes, requireRouteIntoCloud, routeFor } from '../src/cloud/route-check.js';
import { externalCidr } from '../src/cloud/seed.js';
import { suiteDocker, suiteId } from './helpers/docker-suite.js';

/** A /proc/net/route with a default route, Docker's bridge, and one cloud bridge. */
const TABLE = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
  'br-0d879d2b032a\t000418AC\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
  // A route that is down (flags 0) carries nothing.
  'br-dead\t000518AC\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0',
].join('\n');

describe('route check: which way the host would send', () => {
  it('parses the kernel\'s table: destinations, prefixes, only routes that are up', () => {
    expect(parseProcRoutes(TABLE).map((r) => `${r.iface} ${r.destination}`)).toEqual(['eth0 0.0.0.0/0', 'docker0 172.17.0.0/16', 'br-0d879d2b032a 172.24.4.0/24']);
  });

  it('takes the longest prefix, falling back to the default route', () => {
    expect(routeFor('172.24.4.22', TABLE)).toEqual({ iface: 'br-0d879d2b032a', destination: '172.24.4.0/24', prefix: 24 });
    expect(routeFor('172.17.3.4', TABLE)?.iface).toBe('docker0');
    expect(routeFor('172.24.5.9', TABLE)).toEqual({ iface: 'eth0', destination: '0.0.0.0/0', prefix: 0 });
    expect(() => routeFor('172.24.4', TABLE)).toThrow(/not an IPv4 address/);
  });

  it('inCidr agrees with the prefix arithmetic at the edges', () => {
    expect(inCidr('172.24.4.0', '172.24.4.0/24')).toBe(true);
    expect(inCidr('172.24.4.255', '172.24.4.0/24')).toBe(true);
    expect(inCidr('172.24.5.0', '172.24.4.0/24')).toBe(false);
    expect(inCidr('8.8.8.8', '0.0.0.0/0')).toBe(true);
  });
});

const { docker, dockerAvailable } = await suiteDocker('route checks against a cloud\'s Docker network');

describe.skipIf(!dockerAvailable)('route check against this machine\'s Docker', () => {
  const cloud = suiteId('resops-rt').id;
  let network: Docker.Network | undefined;
  afterAll(async () => {
    await network?.remove().catch(() => undefined);
  });

  it('refuses an address whose route is the default one, or another bridge, and accepts the cloud\'s own', async () => {
    // A network labelled as this cloud's, in a range nothing else here uses.
    const subnet = '172.31.251.0/24';
    network = await docker.createNetwork({ Name: `${cloud}-ext-public`, Driver: 'bridge', Labels: { 'resops.cloud': cloud }, IPAM: { Config: [{ Subnet: subnet, Gateway: '172.31.251.1' }] } });
    const bridge = `br-${network.id.slice(0, 12)}`;
    // The real table now routes the subnet to that bridge.
    expect(routeFor('172.31.251.40')?.iface).toBe(bridge);
    await expect(requireRouteIntoCloud(docker, '172.31.251.40', cloud)).resolves.toMatchObject({ iface: bridge });
    // Another cloud's name does not own that bridge.
    await expect(requireRouteIntoCloud(docker, '172.31.251.40', `${cloud}-other`)).rejects.toThrow(/does not lead into rehearsal cloud/);
    // Along the default route: refused, and the message says so.
    await expect(requireRouteIntoCloud(docker, '172.31.252.40', cloud)).rejects.toThrow(/the default route/);
    // null (status' health checks: any rehearsal cloud, whatever its name) accepts the bridge, never the default route.
    await expect(requireRouteIntoCloud(docker, '172.31.251.40', null)).resolves.toMatchObject({ iface: bridge });
    await expect(requireRouteIntoCloud(docker, '172.31.252.40', null)).rejects.toThrow(/the default route \(via \S+\), which does not lead into any rehearsal cloud/);
  });
});

describe('the floating-IP ranges and the addresses this machine needs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'resops-rt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the machine\'s DNS server and the archives it installs from inside a range', async () => {
    const conf = path.join(dir, 'resolv.conf');
    writeFileSync(conf, 'search example\nnameserver 172.24.4.53\nnameserver 10.0.0.2\n');
    expect(await hostAddressesIn('172.24.4.0/24', conf)).toContain('172.24.4.53 (DNS server)');
    expect(await hostAddressesIn('172.24.4.0/24', path.join(dir, 'missing'))).toEqual([]);
  });

  it('no seeded external range holds an address this machine uses (the cloud would route it away)', async () => {
    for (const index of [0, 1, 2]) expect(await hostAddressesIn(externalCidr(index).cidr)).toEqual([]);
  });
});
