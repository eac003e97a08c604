/**
 * Nova's container driver (Python, containers/openstack/servers/resops_servers) creates a server's
 * container and seed as src/cloud/server-boot.ts does: same run options, same meta-data, same
 * user data and modes. No Docker and no cloud needed, only python3 with PyYAML (as in the cloud's
 * image); skipped, saying why, without them.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { seedFiles, serverCreateOptions, type ServerSpec } from '../src/cloud/server-boot.js';

const PYTHONPATH = fileURLToPath(new URL('../containers/openstack/servers/', import.meta.url));
const probe = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
const skip = probe.error ? 'python3 not found' : probe.status !== 0 ? 'python3 has no PyYAML' : undefined;
if (skip) console.warn(`cloud-server-parity tests skipped: ${skip}`);

/** Runs `code` with the driver's dockerapi module imported; `input` as JSON on stdin, JSON back. */
function python<T>(code: string, input: unknown): T {
  const script = `import json, sys\nfrom resops_servers import dockerapi\nspec = json.load(sys.stdin)\n${code}`;
  const result = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', env: { ...process.env, PYTHONPATH }, timeout: 30_000 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFoDnzBVrk4H8PqUFJoHlEzTtgpQLxMLn6HyOoX7PhE bob@laptop';
const SPEC: ServerSpec = {
  name: 'resops-server-0b0e6a4e-4a47-4c52-9f55-1d3c1f1f2a10',
  labels: { 'resops.role': 'cloud-server', 'resops.cloud': 'resops-cloud', 'resops.nova-instance': '0b0e6a4e-4a47-4c52-9f55-1d3c1f1f2a10' },
  userData: '#cloud-config\nwrite_files:\n  - path: /etc/motd\n    content: "héllo: world"\n',
  instanceId: '0b0e6a4e-4a47-4c52-9f55-1d3c1f1f2a10',
  hostname: 'demo-alice-vm1',
  flavor: { vcpus: 4, ramMb: 2048 },
  image: 'resops/server:latest',
  network: 'resops-cloud-servers',
  macAddress: 'fa:16:3e:12:34:56',
  publicKeys: [KEY],
};
const pySpec = (spec: ServerSpec) => ({
  name: spec.name,
  labels: spec.labels,
  hostname: spec.hostname,
  vcpus: spec.flavor.vcpus,
  ram_mb: spec.flavor.ramMb,
  ...(spec.image ? { image: spec.image } : {}),
  ...(spec.network ? { network: spec.network } : {}),
  ...(spec.macAddress ? { mac_address: spec.macAddress } : {}),
  ...(spec.ports !== undefined ? { ports: spec.ports } : {}),
  ...(spec.devices ? { devices: spec.devices } : {}),
});

describe.skipIf(skip !== undefined)(`Nova's container driver and server-boot.ts agree${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('on the container\'s run options, with and without network and MAC, with Neutron ports, capped at the host\'s CPUs', () => {
    const bare: ServerSpec = { ...SPEC, image: undefined, network: undefined, macAddress: undefined };
    const plugged: ServerSpec = { ...bare, ports: 2 };
    expect(serverCreateOptions(plugged, 2)).toMatchObject({ Env: ['RESOPS_PORTS=2'], HostConfig: { NetworkMode: 'none' } });
    expect(serverCreateOptions({ ...plugged, devices: ['/dev/fuse'] }, 2).HostConfig?.Devices).toEqual([{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }]);
    for (const [spec, cpus] of [[SPEC, 2], [SPEC, 8], [bare, 2], [plugged, 2], [{ ...bare, ports: 0 }, 2], [{ ...plugged, devices: ['/dev/fuse'] }, 2], [{ ...plugged, devices: [] }, 2]] as const) {
      const fromPython = python<Record<string, unknown>>(`print(json.dumps(dockerapi.server_create_options(spec, ${cpus})))`, pySpec(spec));
      expect(fromPython).toEqual(JSON.parse(JSON.stringify(serverCreateOptions(spec, cpus))));
    }
  });

  it('on the NoCloud seed: meta-data with the key pair\'s key, user data byte for byte, modes', () => {
    const fromPython = python<Array<[string, string, number]>>(
      'files = dockerapi.seed_files(spec["instanceId"], spec["hostname"], spec["userData"].encode(), spec.get("publicKeys", []))\n' +
        'print(json.dumps([[n, c.decode(), m] for n, c, m in files]))',
      SPEC,
    );
    const fromTs = seedFiles(SPEC);
    expect(fromPython.map(([path, , mode]) => [path, mode])).toEqual(fromTs.map((f) => [f.path, f.mode]));
    expect(parse(fromPython[0]![1])).toEqual(parse(fromTs[0]!.content));
    expect(parse(fromPython[0]![1])).toEqual({ 'instance-id': SPEC.instanceId, 'local-hostname': SPEC.hostname, 'public-keys': [KEY] });
    expect(fromPython[1]![1]).toBe(SPEC.userData);
    // Without a key pair, no public-keys at all.
    const noKey = python<Array<[string, string, number]>>('print(json.dumps([[n, c.decode(), m] for n, c, m in dockerapi.seed_files("i-1", "vm1", b"")]))', {});
    expect(noKey[0]![1]).toBe(seedFiles({ instanceId: 'i-1', hostname: 'vm1', userData: '' })[0]!.content);
  });

  it('packs the seed as a tar that a container takes with putArchive (root-owned, modes kept)', () => {
    const listing = python<Array<[string, number, number, number]>>(
      'import io, tarfile\n' +
        'data = dockerapi.pack_tar(dockerapi.seed_files("i-1", "vm1", b"#cloud-config\\n"))\n' +
        'print(json.dumps([[m.name, m.mode, m.uid, m.size] for m in tarfile.open(fileobj=io.BytesIO(data)).getmembers()]))',
      {},
    );
    expect(listing).toEqual([['meta-data', 0o644, 0, 37], ['user-data', 0o600, 0, 14]]);
  });
});
