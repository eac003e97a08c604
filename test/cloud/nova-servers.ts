/**
 * Servers that run (issue #13, first slice): with `resops cloud up --servers containers`, Nova's
 * container driver (containers/openstack/servers/resops_servers) makes every server a container on
 * the host's Docker that boots resops/server with systemd and Debian's cloud-init, fed from Nova.
 * Everything is asked of the cloud through the toolkit's client, as a project member; the host's
 * Docker is only looked at (inspect, exec) and, once, used to stop a server behind Nova's back.
 * Registered from test/openstack-cloud.test.ts, which owns the cloud (one at a time fits here).
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_LABEL, ROLE_LABEL, SERVER_ROLE, type ServersMode } from '../../src/cloud/container.js';
import { SERVER_IMAGE, waitForCloudInit } from '../../src/cloud/server-boot.js';
import type { OpenStackClient } from '../../src/openstack/client.js';
import type { Network, Port, Subnet } from '../../src/openstack/network.js';
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
const ALICE_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFoDnzBVrk4H8PqUFJoHlEzTtgpQLxMLn6HyOoX7PhE alice@laptop';
const MARKER = '/etc/resops-rehearsal';
const USER_DATA = `#cloud-config
users:
  - default
  - name: alice
    shell: /bin/bash
    ssh_authorized_keys:
      - ${ALICE_KEY}
write_files:
  - path: ${MARKER}
    content: |
      written by cloud-init from Nova's user data
`;
/** Start to cloud-init done measured 6–14 s without packages; generous for a loaded CI machine. */
const BOOT_MS = 240_000;

export function describeServersOnCloud(ctx: ServersContext): void {
  const skip = ctx.servers !== 'containers' ? `the suite's cloud runs --servers ${ctx.servers}` : undefined;
  describe.skipIf(skip !== undefined)(`servers that run: Nova's container driver (--servers containers)${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const docker = new Docker();
    let client: OpenStackClient;
    let serverId = '';
    let port: Port & { mac_address: string };
    let container: Docker.Container;
    const name = () => `resops-server-${serverId}`;
    const exec = async (cmd: string[]) => (await runInContainer(docker, container, name(), cmd, { timeoutMs: 60_000 })).stdout.trim();

    async function serverStatus(want: string, limitMs = 180_000): Promise<void> {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const server = await client.compute.getServer(serverId);
        if (server?.status === want) return;
        if (server?.status === 'ERROR') throw new Error(`server went to ERROR: ${server.fault ?? 'no fault'}`);
        if (Date.now() > deadline) throw new Error(`server not ${want} within ${limitMs / 1000} s (it is ${server?.status ?? 'gone'})`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    const dockerState = async () => (await container.inspect()).State;

    beforeAll(async () => {
      client = await ctx.projectClient(PROJECT);
      for (const s of await client.compute.listServers()) await client.compute.deleteServer(s.id);
      await client.compute.deleteKeypair('srv-key');
      await client.compute.createKeypair('srv-key', KEYPAIR_KEY);
      const network = await client.network.create<Network>('networks', { name: 'srv-net' });
      await client.network.create<Subnet>('subnets', { name: 'srv-subnet', network_id: network.id, ip_version: 4, cidr: '10.42.7.0/24' });
      port = await client.network.create<Port & { mac_address: string }>('ports', { name: 'srv-alice-vm1', network_id: network.id });
      const flavor = (await client.compute.listFlavors()).find((f) => f.name === 'm1.small')!;
      const image = (await client.image.listImages()).find((i) => i.name === 'debian-12')!;
      serverId = (await client.compute.createServer({
        name: 'srv-alice-vm1', flavorId: flavor.id, imageId: image.id, networks: [{ port: port.id }], keyName: 'srv-key', userData: USER_DATA,
      })).id;
      await serverStatus('ACTIVE');
      container = docker.getContainer(name());
    }, 300_000);

    afterAll(async () => {
      if (!client) return;
      for (const s of await client.compute.listServers()) await client.compute.deleteServer(s.id);
      await client.compute.deleteKeypair('srv-key');
    }, 120_000);

    it('an ACTIVE server is a running container of resops/server, labelled for the cloud, with its port\'s MAC', async () => {
      const info = await container.inspect();
      expect(info.State.Running).toBe(true);
      expect(info.Config.Image).toBe(SERVER_IMAGE);
      expect(info.Config.Labels).toMatchObject({ [ROLE_LABEL]: SERVER_ROLE, [CLOUD_LABEL]: ctx.cloud, 'resops.nova-instance': serverId, 'resops.server-name': 'srv-alice-vm1' });
      expect(info.Config.Hostname).toBe('srv-alice-vm1');
      const endpoint = Object.values(info.NetworkSettings.Networks)[0]!;
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual([`${ctx.cloud}-servers`]);
      expect(endpoint.MacAddress).toBe(port.mac_address);
    });

    it('has the flavor\'s RAM and vCPUs as limits (m1.small: 2048 MB, 1 vCPU)', async () => {
      const { HostConfig } = await container.inspect();
      expect(HostConfig.Memory).toBe(2048 * 2 ** 20);
      expect(HostConfig.MemorySwap).toBe(2048 * 2 ** 20);
      expect(HostConfig.NanoCpus).toBe(1e9);
    });

    it('cloud-init finished from Nova\'s seed: key pair, user data, hostname', async () => {
      const outcome = await waitForCloudInit(docker, container, name(), { timeoutMs: BOOT_MS });
      expect(outcome).toMatchObject({ status: 'done', errors: [] });
      expect(outcome.datasource).toContain('NoCloud');
      expect(await exec(['cat', '/proc/1/comm'])).toBe('systemd');
      // The key pair is the default user's (Debian's cloud images: debian), exactly.
      const keys = (file: string) => exec(['cat', file]).then((text) => text.split('\n').filter((line) => line && !line.startsWith('#')));
      expect(await keys('/home/debian/.ssh/authorized_keys')).toEqual([KEYPAIR_KEY]);
      expect(await keys('/home/alice/.ssh/authorized_keys')).toEqual([ALICE_KEY]);
      expect(await exec(['cat', MARKER])).toBe('written by cloud-init from Nova\'s user data');
      expect(await exec(['hostname'])).toBe('srv-alice-vm1');
      expect(await exec(['cat', '/var/lib/cloud/data/instance-id'])).toBe(serverId);
    }, BOOT_MS + 60_000);

    it('`cloud status --json` lists the server\'s container', async () => {
      const { code, status } = await cloudStatusJson<{ container: { servers: string }; serverContainers: Array<{ name: string; state: string; server: string }>; networks: string[] }>(ctx.cloud, ctx.stateDir());
      expect(code).toBe(0);
      expect(status.container.servers).toBe('containers');
      expect(status.serverContainers).toContainEqual(expect.objectContaining({ name: name(), state: 'running', server: serverId }));
      expect(status.networks).toContain(`${ctx.cloud}-servers`);
    });

    it('stop makes it SHUTOFF with the container stopped; start brings it back ACTIVE with its disk', async () => {
      await exec(['sh', '-c', 'echo kept > /var/lib/resops-kept']);
      await client.compute.serverAction(serverId, 'os-stop');
      await serverStatus('SHUTOFF', 120_000);
      expect((await dockerState()).Running).toBe(false);
      await client.compute.serverAction(serverId, 'os-start');
      await serverStatus('ACTIVE', 120_000);
      expect((await dockerState()).Running).toBe(true);
      expect(await waitForCloudInit(docker, container, name(), { timeoutMs: BOOT_MS })).toMatchObject({ status: 'done', errors: [] });
      expect(await exec(['cat', '/var/lib/resops-kept'])).toBe('kept');
      expect(await exec(['cat', MARKER])).toBe('written by cloud-init from Nova\'s user data');
      // Same instance id: the per-instance modules ran on the first boot only.
      expect(await exec(['grep', '-c', 'config-users-groups ran successfully', '/var/log/cloud-init.log'])).toBe('1');
      expect(await exec(['grep', '-c', 'config-write-files ran successfully', '/var/log/cloud-init.log'])).toBe('1');
    }, 2 * 120_000 + BOOT_MS);

    it('reboot restarts the container and the server is ACTIVE again', async () => {
      const before = (await dockerState()).StartedAt;
      await client.compute.serverAction(serverId, { reboot: { type: 'SOFT' } });
      await serverStatus('ACTIVE', 120_000);
      // Nova says ACTIVE once the driver's reboot returned: the container was started anew.
      const after = await dockerState();
      expect(after.Running).toBe(true);
      expect(after.StartedAt).not.toBe(before);
      expect(await waitForCloudInit(docker, container, name(), { timeoutMs: BOOT_MS })).toMatchObject({ status: 'done', errors: [] });
    }, 120_000 + BOOT_MS);

    it('a container stopped behind Nova\'s back shows as SHUTOFF after the power-state sync', async () => {
      await container.stop({ t: 5 });
      await serverStatus('SHUTOFF', 120_000);
    }, 150_000);

    it('delete removes the container', async () => {
      await client.compute.deleteServer(serverId);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const gone = (await client.compute.getServer(serverId)) === undefined;
        const containers = await docker.listContainers({ all: true, filters: { label: [`resops.nova-instance=${serverId}`] } });
        if (gone && containers.length === 0) break;
        if (Date.now() > deadline) throw new Error(`after 120 s: server ${gone ? 'gone' : 'still there'}, ${containers.length} container(s) left`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }, 150_000);
  });
}
