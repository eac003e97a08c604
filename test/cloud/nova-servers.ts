/**
 * Servers that run (issue #13): with `resops cloud up --servers containers`, Nova's container
 * driver (containers/openstack/servers/resops_servers) makes every server a container on the
 * host's Docker that boots resops/server with systemd and Debian's cloud-init, fed from Nova, and
 * Neutron's own Linux bridge and L3 agents wire its ports: fixed IPs, routers, floating IPs and
 * security groups as Neutron says. Everything is asked of the cloud through the toolkit's client,
 * as a project member; SSH goes from the host to floating IPs, after checking that the host's
 * route to them leads into the cloud's own network. The host's Docker is only looked at (inspect,
 * exec) and, once, used to stop a server behind Nova's back.
 * Registered from test/openstack-cloud.test.ts, which owns the cloud (one at a time fits here).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAutomationKey } from '../../src/access/admin-access.js';
import { CLOUD_LABEL, externalDockerNetwork, ROLE_LABEL, SERVER_ROLE, type ServersMode } from '../../src/cloud/container.js';
import { cloudLoopDevices } from '../../src/cloud/loop-devices.js';
import { requireRouteIntoCloud } from '../../src/cloud/route-check.js';
import { externalCidr } from '../../src/cloud/seed.js';
import { SERVER_CPU_SHARES, SERVER_IMAGE, waitForCloudInit } from '../../src/cloud/server-boot.js';
import { DEFAULTS } from '../../src/course/spec.js';
import type { OpenStackClient } from '../../src/openstack/client.js';
import type { FloatingIp, Network, Port, SecurityGroup, Subnet } from '../../src/openstack/network.js';
import type { Volume } from '../../src/openstack/volume.js';
import { runCommand } from '../../src/process/run-command.js';
import { runInContainer } from '../../src/process/run-in-container.js';
import { cloudStatusJson } from '../helpers/cloud-status.js';

export interface ServersContext {
  /** The cloud's container name (label resops.cloud of its servers' containers). */
  cloud: string;
  stateDir: () => string;
  servers: ServersMode;
  projectClient: (project: string) => Promise<OpenStackClient>;
}

const PROJECT = 'servers-run';
const KEYPAIR_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFCVaYyRc7jp4c9ToavgICgR8SY3XAAt5aaM9TmGHuP instructor@rehearsal';
const MARKER = '/etc/resops-rehearsal';
const userData = (user: string, key: string) => `#cloud-config
users:
  - default
  - name: ${user}
    shell: /bin/bash
    ssh_authorized_keys:
      - ${key}
write_files:
  - path: ${MARKER}
    content: |
      written by cloud-init from Nova's user data
`;
/** Start to cloud-init done measured 6–14 s without packages; generous for a loaded CI machine. */
const BOOT_MS = 240_000;
/** The data volume's mount, as the common role writes it to /etc/fstab. */
const DATA_FSTAB = '/dev/vdb /srv/data ext4 defaults,nofail 0 2';
/** The port no security-group rule opens until the test adds one. */
const CLOSED_PORT = 8080;

interface Vm {
  user: string;
  cidr: string;
  id: string;
  port: Port & { mac_address: string; fixed_ips: Array<{ ip_address: string; subnet_id: string }> };
  floating: string;
  key: { privateKeyFile: string; publicKey: string };
}

/** A TCP connection from the host: 'open', 'refused' or 'timeout' (bounded). */
function tcpProbe(host: string, port: number, timeoutMs = 3000): Promise<'open' | 'refused' | 'timeout'> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: 'open' | 'refused' | 'timeout') => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.once('connect', () => done('open'));
    socket.once('error', () => done('refused'));
  });
}

export function describeServersOnCloud(ctx: ServersContext): void {
  const skip = ctx.servers !== 'containers' ? `the suite's cloud runs --servers ${ctx.servers}` : undefined;
  describe.skipIf(skip !== undefined)(`servers that run: Nova's container driver and Neutron's agents (--servers containers)${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const docker = new Docker();
    let client: OpenStackClient;
    let keysDir = '';
    let group: SecurityGroup;
    const vms: Record<'alice' | 'bob', Vm> = {} as Record<'alice' | 'bob', Vm>;
    let volume: Volume;
    const name = (vm: Vm) => `resops-server-${vm.id}`;
    const container = (vm: Vm) => docker.getContainer(name(vm));
    const exec = async (vm: Vm, cmd: string[], timeoutMs = 60_000) => (await runInContainer(docker, container(vm), name(vm), cmd, { timeoutMs })).stdout.trim();
    const inCloud = async (cmd: string[]) => (await runInContainer(docker, docker.getContainer(ctx.cloud), ctx.cloud, cmd, { timeoutMs: 60_000 })).stdout;

    async function serverStatus(vm: Vm, want: string, limitMs = 180_000): Promise<void> {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const server = await client.compute.getServer(vm.id);
        if (server?.status === want) return;
        if (server?.status === 'ERROR') throw new Error(`server ${vm.user} went to ERROR: ${server.fault ?? 'no fault'}`);
        if (Date.now() > deadline) throw new Error(`server ${vm.user} not ${want} within ${limitMs / 1000} s (it is ${server?.status ?? 'gone'})`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    const dockerState = async (vm: Vm) => (await container(vm).inspect()).State;

    async function volumeStatus(want: 'in-use' | 'available', limitMs = 120_000): Promise<Volume> {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const now = await client.volume.getVolume(volume.id);
        if (now?.status === want) return now;
        if (now?.status === 'error' || now?.status?.startsWith('error_')) throw new Error(`volume went to ${now.status}`);
        if (Date.now() > deadline) throw new Error(`volume not ${want} within ${limitMs / 1000} s (it is ${now?.status ?? 'gone'})`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }

    /** SSH from the host to the server's floating IP, once the route to it is known to lead into the cloud. */
    async function ssh(vm: Vm, as: { user: string; keyFile: string }, command: string, attempts = 1) {
      await requireRouteIntoCloud(docker, vm.floating, ctx.cloud);
      const args = ['-i', as.keyFile, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', `${as.user}@${vm.floating}`, command];
      for (let attempt = 1; ; attempt++) {
        const result = await runCommand('ssh', args, { timeoutMs: 30_000, check: false });
        // 255 with "Connection refused/timed out": sshd not there yet (after a start); bounded retries.
        if (result.code === 255 && /refused|timed out|No route/i.test(result.stderr) && attempt < attempts) {
          await new Promise((resolve) => setTimeout(resolve, 2000));
          continue;
        }
        return result;
      }
    }

    async function waitForProbe(host: string, port: number, want: 'open' | 'closed', limitMs = 60_000): Promise<string> {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const result = await tcpProbe(host, port);
        if ((want === 'open') === (result === 'open')) return result;
        if (Date.now() > deadline) throw new Error(`${host}:${port} still ${result} after ${limitMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }

    beforeAll(async () => {
      client = await ctx.projectClient(PROJECT);
      keysDir = mkdtempSync(path.join(os.tmpdir(), 'resops-srv-keys-'));
      for (const s of await client.compute.listServers()) await client.compute.deleteServer(s.id);
      await client.compute.deleteKeypair('srv-key');
      await client.compute.createKeypair('srv-key', KEYPAIR_KEY);
      const external = (await client.network.listNetworks({ 'router:external': 'true' }, true)).find((n) => n.name === DEFAULTS.cloud.externalNetwork)!;
      const network = await client.network.create<Network>('networks', { name: 'srv-net' });
      group = await client.network.create<SecurityGroup>('security-groups', { name: 'srv-ssh' });
      for (const protocol of ['tcp', 'icmp']) {
        await client.network.createSecurityGroupRule({
          security_group_id: group.id, direction: 'ingress', ethertype: 'IPv4', protocol, remote_ip_prefix: '0.0.0.0/0',
          ...(protocol === 'tcp' ? { port_range_min: 22, port_range_max: 22 } : {}),
        });
      }
      const router = await client.network.create<{ id: string }>('routers', { name: 'srv-router', external_gateway_info: { network_id: external.id } });
      const flavor = (await client.compute.listFlavors()).find((f) => f.name === 'm1.small')!;
      const image = (await client.image.listImages()).find((i) => i.name === 'debian-12')!;
      for (const [user, cidr] of [['alice', '10.42.7.0/24'], ['bob', '10.42.8.0/24']] as const) {
        // Each learner's own subnet on the course's network, joined by the course's router.
        const subnet = await client.network.create<Subnet>('subnets', { name: `srv-${user}`, network_id: network.id, ip_version: 4, cidr });
        await client.network.addRouterInterface(router.id, subnet.id);
        const port: Vm['port'] = await client.network.create<Vm['port']>('ports', {
          name: `srv-${user}-vm1`, network_id: network.id, fixed_ips: [{ subnet_id: subnet.id }], security_groups: [group.id],
        });
        const key = ensureAutomationKey({ dir: keysDir, stateDir: path.join(keysDir, user), id: user });
        const id = (await client.compute.createServer({
          name: `srv-${user}-vm1`, flavorId: flavor.id, imageId: image.id, networks: [{ port: port.id }], keyName: 'srv-key', userData: userData(user, key.publicKey),
        })).id;
        const floating = await client.network.create<FloatingIp & { floating_ip_address: string }>('floatingips', { floating_network_id: external.id, port_id: port.id });
        vms[user] = { user, cidr, id, port, floating: floating.floating_ip_address, key };
      }
      await Promise.all(Object.values(vms).map((vm) => serverStatus(vm, 'ACTIVE')));
    }, 300_000);

    afterAll(async () => {
      if (keysDir) rmSync(keysDir, { recursive: true, force: true });
      if (!client) return;
      for (const s of await client.compute.listServers()) await client.compute.deleteServer(s.id);
      await client.compute.deleteKeypair('srv-key');
      if (volume) {
        await volumeStatus('available').catch(() => undefined);
        await client.volume.deleteVolume(volume.id);
      }
    }, 240_000);

    it('an ACTIVE server is a running container of resops/server, labelled for the cloud, without Docker\'s network', async () => {
      const info = await container(vms.alice).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.Config.Image).toBe(SERVER_IMAGE);
      expect(info.Config.Labels).toMatchObject({ [ROLE_LABEL]: SERVER_ROLE, [CLOUD_LABEL]: ctx.cloud, 'resops.nova-instance': vms.alice.id, 'resops.server-name': 'srv-alice-vm1' });
      expect(info.Config.Hostname).toBe('srv-alice-vm1');
      expect(info.HostConfig.NetworkMode).toBe('none');
    });

    it('has exactly its Neutron port: MAC, fixed IP, the network\'s MTU, the subnet\'s gateway as default route', async () => {
      for (const vm of Object.values(vms)) {
        const links = JSON.parse(await exec(vm, ['ip', '-j', 'addr', 'show'])) as Array<{ ifname: string; address: string; mtu: number; addr_info: Array<{ family: string; local: string; prefixlen: number }> }>;
        const nics = links.filter((l) => l.ifname !== 'lo');
        expect(nics.map((l) => l.ifname)).toEqual(['eth0']);
        expect(nics[0]!.address).toBe(vm.port.mac_address);
        expect(nics[0]!.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`)).toEqual([`${vm.port.fixed_ips[0]!.ip_address}/24`]);
        expect(nics[0]!.mtu).toBe((await client.network.listNetworks({ name: 'srv-net' }))[0]!.mtu);
        expect(await exec(vm, ['ip', 'route', 'show', 'default'])).toContain(`default via ${vm.cidr.replace(/0\/24$/, '1')} dev eth0`);
      }
    });

    it('has the flavor\'s RAM and vCPUs as limits (m1.small: 2048 MB, 1 vCPU)', async () => {
      const { HostConfig } = await container(vms.alice).inspect();
      expect(HostConfig.Memory).toBe(2048 * 2 ** 20);
      expect(HostConfig.MemorySwap).toBe(2048 * 2 ** 20);
      expect(HostConfig.NanoCpus).toBe(1e9);
      // Below the cloud's own services when the host is short of CPU.
      expect(HostConfig.CpuShares).toBe(SERVER_CPU_SHARES);
    });

    it('cloud-init finished from Nova\'s seed: key pair, user data, hostname', async () => {
      for (const vm of Object.values(vms)) {
        const outcome = await waitForCloudInit(docker, container(vm), name(vm), { timeoutMs: BOOT_MS });
        expect(outcome).toMatchObject({ status: 'done', errors: [] });
        expect(outcome.datasource).toContain('NoCloud');
      }
      const vm = vms.alice;
      expect(await exec(vm, ['cat', '/proc/1/comm'])).toBe('systemd');
      // The key pair is the default user's (Debian's cloud images: debian), exactly.
      const keys = (file: string) => exec(vm, ['cat', file]).then((text) => text.split('\n').filter((line) => line && !line.startsWith('#')));
      expect(await keys('/home/debian/.ssh/authorized_keys')).toEqual([KEYPAIR_KEY]);
      expect(await keys('/home/alice/.ssh/authorized_keys')).toEqual([vm.key.publicKey]);
      expect(await exec(vm, ['cat', MARKER])).toBe('written by cloud-init from Nova\'s user data');
      expect(await exec(vm, ['hostname'])).toBe('srv-alice-vm1');
      expect(await exec(vm, ['cat', '/var/lib/cloud/data/instance-id'])).toBe(vm.id);
    }, 2 * BOOT_MS + 60_000);

    it('SSH from the host through the floating IP: the learner\'s key works, another learner\'s is refused', async () => {
      const route = await requireRouteIntoCloud(docker, vms.alice.floating, ctx.cloud);
      expect(route.prefix).toBeGreaterThan(0);
      const own = await ssh(vms.alice, { user: 'alice', keyFile: vms.alice.key.privateKeyFile }, 'id -un; hostname', 10);
      expect({ code: own.code, out: own.stdout.trim().split('\n') }).toEqual({ code: 0, out: ['alice', 'srv-alice-vm1'] });
      const other = await ssh(vms.alice, { user: 'alice', keyFile: vms.bob.key.privateKeyFile }, 'true');
      expect(other.code).toBe(255);
      expect(other.stderr).toMatch(/Permission denied \(publickey/);
      const bob = await ssh(vms.bob, { user: 'bob', keyFile: vms.bob.key.privateKeyFile }, 'id -un', 10);
      expect(bob.stdout.trim()).toBe('bob');
    }, 120_000);

    it('servers on different subnets reach each other through the course\'s router', async () => {
      const bobIp = vms.bob.port.fixed_ips[0]!.ip_address;
      expect(bobIp.startsWith('10.42.8.')).toBe(true);
      const connect = await exec(vms.alice, ['bash', '-c', `timeout 10 bash -c '</dev/tcp/${bobIp}/22' && echo open`]);
      expect(connect).toBe('open');
      // The way there is the router (the subnet's gateway), not a shared link.
      expect(await exec(vms.alice, ['ip', 'route', 'get', bobIp])).toContain('via 10.42.7.1');
    }, 60_000);

    it('a server reaches the cloud\'s APIs at the catalog\'s internal endpoints, where this machine\'s public ones (127.0.0.1) are out of its reach', async () => {
      const cloudAddress = externalCidr(0).cloud;
      const kinds = ['identity', 'compute', 'object-store'] as const;
      const at = (kind: (typeof kinds)[number], iface: 'public' | 'internal') => new URL(client.session.catalogUrl(kind, iface)!);
      expect(kinds.map((kind) => [at(kind, 'public').hostname, at(kind, 'internal').hostname])).toEqual(kinds.map(() => ['127.0.0.1', cloudAddress]));
      // What Prometheus' discovery and the S3 transfers ask first, from inside the server: each
      // service's unauthenticated document, so the answer is the service itself, not a port.
      const get = (url: string) => exec(vms.alice, ['python3', '-c', [
        'import sys, urllib.request, urllib.error',
        'try:',
        '  r = urllib.request.urlopen(sys.argv[1], timeout=10); print(r.status, r.read().decode()[:2000])',
        'except urllib.error.HTTPError as e:',
        '  print(e.code, e.read().decode()[:2000])',
        'except OSError as e:',
        '  print("unreachable", e)',
      ].join('\n'), url]);
      const keystone = await get(`${at('identity', 'internal').origin}/v3`);
      expect(keystone).toMatch(/^200 \{"version": \{"id": "v3\./);
      const nova = await get(`${at('compute', 'internal').origin}/`);
      expect(nova).toMatch(/^(200|300) \{"versions": \[.*"id": "v2\.1"/);
      const swift = await get(`${at('object-store', 'internal').origin}/info`);
      expect(swift).toMatch(/^200 \{.*"swift": \{/);
      // The catalog's public address, from the same server, is the server itself: nothing listens there.
      expect(await get(`${at('identity', 'public').origin}/v3`)).toMatch(/^unreachable/);
    }, 60_000);

    it('security groups are enforced: a port without a rule is closed, and opens when the rule is added', async () => {
      const vm = vms.alice;
      await exec(vm, ['systemd-run', '--unit', 'resops-probe-listener', 'python3', '-m', 'http.server', String(CLOSED_PORT)]);
      // Listening inside (so "closed" from outside is the security group's doing).
      await exec(vm, ['bash', '-c', `for i in $(seq 50); do (</dev/tcp/127.0.0.1/${CLOSED_PORT}) 2>/dev/null && exit 0; sleep 0.2; done; exit 1`]);
      await requireRouteIntoCloud(docker, vm.floating, ctx.cloud);
      expect(await tcpProbe(vm.floating, CLOSED_PORT)).not.toBe('open');
      const rule = await client.network.createSecurityGroupRule({
        security_group_id: group.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: CLOSED_PORT, port_range_max: CLOSED_PORT, remote_ip_prefix: '0.0.0.0/0',
      });
      expect(await waitForProbe(vm.floating, CLOSED_PORT, 'open')).toBe('open');
      await client.network.deleteSecurityGroupRule(rule.id);
      expect(await waitForProbe(vm.floating, CLOSED_PORT, 'closed')).not.toBe('open');
    }, 120_000);

    it('servers reach Debian\'s archive: apt-get update works inside', async () => {
      const out = await exec(vms.alice, ['apt-get', 'update'], 180_000);
      expect(out).toMatch(/deb\.debian\.org|Reading package lists/);
    }, 200_000);

    it('Docker runs inside a server, as a pipeline worker needs: installed from Debian, on overlay2, its containers\' cgroups nested under the server\'s', async () => {
      const vm = vms.alice;
      await exec(vm, ['sh', '-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io > /var/tmp/docker-install.log 2>&1 || { tail -20 /var/tmp/docker-install.log; exit 1; }'], 480_000);
      expect(await exec(vm, ['systemctl', 'is-active', 'docker'])).toBe('active');
      expect(await exec(vm, ['docker', 'info', '--format', '{{.Driver}} {{.CgroupDriver}}'])).toBe('overlay2 cgroupfs');
      // No registry here: an image of two of the server's own programs and their libraries.
      await exec(vm, ['sh', '-c', 'set -e; files="/usr/bin/dash /usr/bin/cat"; libs=$(ldd $files | grep -o "/[^ ]*" | sort -u); tar -ch $files $libs 2>/dev/null | docker import - resops/inner:1 > /dev/null'], 120_000);
      // -i keeps cat's stdin open: without it cat reads EOF and the container (and its cgroup,
      // read from the host below) may be gone before the host looks (CI saw ENOENT once).
      const inner = await exec(vm, ['docker', 'run', '-d', '-i', '-m', '64m', 'resops/inner:1', '/usr/bin/dash', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; exec /usr/bin/cat'], 120_000);
      try {
        // Seen from the host: the inner container's memory cgroup is under the server's own
        // (whose PID 1, systemd, sits in its init.scope), so the flavor's limit holds it too.
        const serverPid = (await container(vm).inspect()).State.Pid;
        const memoryLine = readFileSync(`/proc/${serverPid}/cgroup`, 'utf8').split('\n').find((line) => /^\d+:memory:/.test(line))!;
        const serverCgroup = memoryLine.split(':')[2]!.replace(/\/init\.scope$/, '');
        expect(readFileSync(`/sys/fs/cgroup/memory${serverCgroup}/docker/${inner}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(64 * 2 ** 20));
        expect(readFileSync(`/sys/fs/cgroup/memory${serverCgroup}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(2048 * 2 ** 20));
        expect(await exec(vm, ['docker', 'logs', inner])).toBe(String(64 * 2 ** 20));
      } finally {
        await exec(vm, ['docker', 'rm', '-f', inner]);
      }
    }, 600_000);

    it('a volume attached through Nova is a block device at the name Nova gives (/dev/vdb): mkfs, mount and writes work; another server cannot open it', async () => {
      volume = await client.volume.createVolume({ name: 'srv-data', size: 1 });
      for (let i = 0; i < 60 && (await client.volume.getVolume(volume.id))?.status !== 'available'; i++) await new Promise((resolve) => setTimeout(resolve, 1000));
      await client.compute.attachVolume(vms.alice.id, volume.id);
      const attached = await volumeStatus('in-use');
      expect(attached.attachments).toEqual([expect.objectContaining({ server_id: vms.alice.id, device: '/dev/vdb' })]);
      const vm = vms.alice;
      expect(await exec(vm, ['stat', '-c', '%F', '/dev/vdb'])).toBe('block special file');
      expect(await exec(vm, ['blockdev', '--getsize64', '/dev/vdb'])).toBe(String(2 ** 30));
      // What the common role's data-volume tasks do.
      await exec(vm, ['mkfs.ext4', '-q', '-L', 'resops-data', '/dev/vdb']);
      await exec(vm, ['sh', '-c', `mkdir -p /srv/data && echo '${DATA_FSTAB}' >> /etc/fstab && mount /srv/data && echo on-the-volume > /srv/data/kept`]);
      expect(await exec(vm, ['findmnt', '-n', '-o', 'SOURCE,FSTYPE', '/srv/data'])).toBe('/dev/vdb ext4');
      // The host backs it with one loop device, which the cloud's status shows.
      const loops = cloudLoopDevices(ctx.cloud).filter((d) => d.volume === volume.id);
      expect(loops).toHaveLength(1);
      const { status } = await cloudStatusJson<{ loopDevices: Array<{ device: string; volume: string }> }>(ctx.cloud, ctx.stateDir());
      expect(status.loopDevices).toContainEqual(expect.objectContaining({ device: loops[0]!.device, volume: volume.id }));
      // Root in another server makes the same device node, and the kernel refuses it.
      const minor = loops[0]!.device.replace('/dev/loop', '');
      const steal = await runInContainer(docker, container(vms.bob), name(vms.bob), ['sh', '-c', `mknod /dev/steal b 7 ${minor} && head -c 512 /dev/steal > /dev/null`], { timeoutMs: 30_000, check: false });
      expect(steal.code).not.toBe(0);
      expect(steal.stderr).toMatch(/Operation not permitted/);
    }, 240_000);

    it('`cloud status --json` lists the servers\' containers and the external network\'s Docker network', async () => {
      const { code, status } = await cloudStatusJson<{
        container: { servers: string }; serverContainers: Array<{ name: string; state: string; server: string }>; networks: string[];
        hostRoutes: Array<{ network: string; destination: string }>; services: Array<{ binary: string; up: boolean }>; ready: boolean;
      }>(ctx.cloud, ctx.stateDir());
      expect(code).toBe(0);
      expect(status.container.servers).toBe('containers');
      expect(status.serverContainers).toContainEqual(expect.objectContaining({ name: name(vms.alice), state: 'running', server: vms.alice.id }));
      const external = externalDockerNetwork(ctx.cloud, DEFAULTS.cloud.externalNetwork);
      expect(status.networks).toContain(external);
      expect(status.hostRoutes).toContainEqual(expect.objectContaining({ network: external, destination: '172.24.4.0/24' }));
      // Neutron's agents are among the services, up.
      const agents = status.services.filter((s) => s.binary.startsWith('neutron-')).map((s) => `${s.binary} ${s.up ? 'up' : 'down'}`).sort();
      expect(agents).toEqual(['neutron-l3-agent up', 'neutron-linuxbridge-agent up']);
      expect(status.ready).toBe(true);
    });

    it('stop makes it SHUTOFF with the container stopped; start brings it back ACTIVE with its disk, its volume mounted by its fstab, and its network', async () => {
      const vm = vms.alice;
      await exec(vm, ['sh', '-c', 'echo kept > /var/lib/resops-kept']);
      await client.compute.serverAction(vm.id, 'os-stop');
      await serverStatus(vm, 'SHUTOFF', 120_000);
      expect((await dockerState(vm)).Running).toBe(false);
      await client.compute.serverAction(vm.id, 'os-start');
      await serverStatus(vm, 'ACTIVE', 120_000);
      expect((await dockerState(vm)).Running).toBe(true);
      expect(await waitForCloudInit(docker, container(vm), name(vm), { timeoutMs: BOOT_MS })).toMatchObject({ status: 'done', errors: [] });
      expect(await exec(vm, ['cat', '/var/lib/resops-kept'])).toBe('kept');
      expect(await exec(vm, ['findmnt', '-n', '-o', 'SOURCE', '/srv/data'])).toBe('/dev/vdb');
      expect(await exec(vm, ['cat', '/srv/data/kept'])).toBe('on-the-volume');
      // Same instance id: the per-instance modules ran on the first boot only.
      expect(await exec(vm, ['grep', '-c', 'config-users-groups ran successfully', '/var/log/cloud-init.log'])).toBe('1');
      const back = await ssh(vm, { user: 'alice', keyFile: vm.key.privateKeyFile }, 'cat /var/lib/resops-kept', 30);
      expect(back.stdout.trim()).toBe('kept');
    }, 2 * 120_000 + BOOT_MS + 90_000);

    it('reboot restarts the container and the server is ACTIVE again, reachable', async () => {
      const vm = vms.alice;
      const before = (await dockerState(vm)).StartedAt;
      await client.compute.serverAction(vm.id, { reboot: { type: 'SOFT' } });
      await serverStatus(vm, 'ACTIVE', 120_000);
      const after = await dockerState(vm);
      expect(after.Running).toBe(true);
      expect(after.StartedAt).not.toBe(before);
      expect((await ssh(vm, { user: 'alice', keyFile: vm.key.privateKeyFile }, 'id -un', 30)).stdout.trim()).toBe('alice');
    }, 120_000 + BOOT_MS);

    it('a port updated in place (an allowed address pair) is re-wired: its MAC anti-spoofing chain is rewritten, and the agent is not stuck on it', async () => {
      // Debian's agent deleted the old --among-src rule by its spec, which ebtables-nft always
      // refuses, and retried for ever (containers/openstack/patches); the delete test then failed.
      const vm = vms.alice;
      const chain = `neutronMAC-tap${vm.port.id.slice(0, 11)}`;
      const macRules = async () => (await inCloud(['ebtables', '-t', 'nat', '-L', chain])).split('\n').filter((l) => l.includes('--among-src'));
      const extra = 'fa:16:3e:aa:bb:cc';
      const until = async (what: string, ok: (rules: string[]) => boolean) => {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const rules = await macRules();
          if (ok(rules)) return rules;
          if (Date.now() > deadline) throw new Error(`${chain}: ${what} not seen within 60 s; it holds ${JSON.stringify(rules)}`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      };
      expect(await until('the port\'s MAC', (rules) => rules.length > 0)).toHaveLength(1);
      await client.network.update('ports', vm.port.id, { allowed_address_pairs: [{ ip_address: '10.42.7.250', mac_address: extra }] });
      const withPair = await until(`the pair's MAC ${extra}`, (rules) => rules.some((r) => r.includes(extra)));
      expect(withPair).toHaveLength(1);
      await client.network.update('ports', vm.port.id, { allowed_address_pairs: [] });
      const back = await until('the pair gone again', (rules) => rules.length === 1 && !rules[0]!.includes(extra));
      expect(back[0]).toContain('-j RETURN');
      const agentLog = await inCloud(['tail', '-n', '2000', '/var/log/resops/neutron-linuxbridge-agent.log']);
      expect(agentLog.split('\n').filter((line) => line.includes(chain) && line.includes('RULE_DELETE failed'))).toEqual([]);
      expect((await ssh(vm, { user: 'alice', keyFile: vm.key.privateKeyFile }, 'id -un', 10)).stdout.trim()).toBe('alice');
    }, 200_000);

    it('detach takes the device out of the server and frees the loop device; attached to another server, the data is there', async () => {
      await exec(vms.alice, ['umount', '/srv/data']);
      expect(await client.compute.detachVolume(vms.alice.id, volume.id)).toBe(true);
      await volumeStatus('available');
      expect(await exec(vms.alice, ['sh', '-c', 'test -e /dev/vdb && echo present || echo gone'])).toBe('gone');
      expect(cloudLoopDevices(ctx.cloud).filter((d) => d.volume === volume.id)).toEqual([]);
      await client.compute.attachVolume(vms.bob.id, volume.id);
      expect((await volumeStatus('in-use')).attachments).toEqual([expect.objectContaining({ server_id: vms.bob.id, device: '/dev/vdb' })]);
      await exec(vms.bob, ['sh', '-c', 'mkdir -p /mnt/data && mount /dev/vdb /mnt/data']);
      expect(await exec(vms.bob, ['cat', '/mnt/data/kept'])).toBe('on-the-volume');
      expect(await exec(vms.bob, ['blkid', '-o', 'value', '-s', 'LABEL', '/dev/vdb'])).toBe('resops-data');
    }, 300_000);

    it('a container stopped behind Nova\'s back shows as SHUTOFF after the power-state sync', async () => {
      await container(vms.bob).stop({ t: 5 });
      await serverStatus(vms.bob, 'SHUTOFF', 120_000);
    }, 150_000);

    it('delete leaves no container, no veth, no loop device and no firewall rule of the port behind', async () => {
      for (const vm of Object.values(vms)) await client.compute.deleteServer(vm.id);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const left: string[] = [];
        for (const vm of Object.values(vms)) {
          if ((await client.compute.getServer(vm.id)) !== undefined) left.push(`server ${vm.user}`);
          const containers = await docker.listContainers({ all: true, filters: { label: [`resops.nova-instance=${vm.id}`] } });
          if (containers.length > 0) left.push(`container of ${vm.user}`);
          const tap = `tap${vm.port.id.slice(0, 11)}`;
          if ((await inCloud(['ip', '-br', 'link'])).includes(tap)) left.push(`${tap} in the cloud`);
        }
        // bob's server had the volume attached (and mounted): its loop device goes with the server.
        if (cloudLoopDevices(ctx.cloud).some((d) => d.volume === volume.id)) left.push('the volume\'s loop device');
        if (left.length === 0) break;
        if (Date.now() > deadline) throw new Error(`after 120 s: ${left.join(', ')} left`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      // Ports deleted too (they were made apart from the servers), so their filter chains go.
      for (const vm of Object.values(vms)) await client.network.delete('ports', vm.port.id);
      // The Linux-bridge agent removes them on its next pass; on a busy CI machine that took over 60 s.
      const chainsGone = Date.now() + 150_000;
      for (;;) {
        const rules = await inCloud(['iptables-save']);
        const left = Object.values(vms).filter((vm) => rules.includes(vm.port.id.slice(0, 10)));
        if (left.length === 0) break;
        if (Date.now() > chainsGone) {
          // What the agent did with these devices tells a slow agent from one that never saw the removal.
          const agentLog = await inCloud(['tail', '-n', '4000', '/var/log/resops/neutron-linuxbridge-agent.log']);
          const ids = left.map((vm) => vm.port.id.slice(0, 10));
          const said = agentLog.split('\n').filter((line) => ids.some((id) => line.includes(id)) || /ERROR|Traceback/.test(line));
          throw new Error(`iptables rules of ${left.map((vm) => vm.user).join(', ')}'s port left in the cloud; the agent's log on them:\n${said.slice(-30).join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }, 240_000);
  });
}
