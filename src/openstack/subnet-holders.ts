/**
 * Servers on a course's network that none of its stacks made (no `resops-course` metadata of the
 * course): a learner's own stack from exercise 01, or a server made by hand. Neutron refuses to
 * delete a subnet while their ports are on it, and Terraform's destroy then retries for about ten
 * minutes before it gives up: `down` asks first.
 */
import { METADATA } from '../course/model.js';
import { clientFor, type CloudRef } from './client.js';

export interface SubnetHolder {
  id: string;
  name: string;
  /** Names of the course's subnets its ports are on. */
  subnets: string[];
}

export async function serversHoldingSubnets(cloud: CloudRef, courseId: string, learnerId?: string): Promise<SubnetHolder[]> {
  const client = await clientFor(cloud);
  const networks = await client.network.listNetworks({ name: `${courseId}-net` });
  if (!networks.length) return [];
  const subnets = (await client.network.listSubnets()).filter((s) => networks.some((n) => n.id === s.network_id));
  // With a learner: their subnet only; the course's other subnets are not being deleted.
  const watched = new Map(subnets.filter((s) => learnerId === undefined || s.name === `${courseId}-${learnerId}-subnet`).map((s) => [s.id, s.name || s.id]));
  const holders = new Map<string, Set<string>>();
  for (const network of networks) {
    for (const port of await client.network.listPorts({ network_id: network.id })) {
      if (!port.device_owner.startsWith('compute:') || !port.device_id) continue;
      const on = port.fixed_ips.map((ip) => watched.get(ip.subnet_id)).filter((n): n is string => n !== undefined);
      if (on.length) holders.set(port.device_id, new Set([...(holders.get(port.device_id) ?? []), ...on]));
    }
  }
  const found: SubnetHolder[] = [];
  for (const [id, on] of holders) {
    const server = await client.compute.getServer(id);
    if (!server || server.metadata[METADATA.course] === courseId) continue;
    found.push({ id, name: server.name, subnets: [...on].sort() });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Deletes `servers` and waits (bounded) until Neutron has freed their ports. */
export async function deleteSubnetHolders(cloud: CloudRef, servers: SubnetHolder[], waitMs = 180_000): Promise<void> {
  const client = await clientFor(cloud);
  for (const server of servers) await client.compute.deleteServer(server.id);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left = (await Promise.all(servers.map(async (s) => (await client.network.listPorts({ device_id: s.id })).length))).reduce((a, b) => a + b, 0);
    if (left === 0) return;
    if (Date.now() > deadline) throw new Error(`${left} port(s) of ${servers.map((s) => s.name).join(', ')} still there after ${waitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
