import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { CLOUD_CONTAINER, CLOUD_LABEL } from './container.js';
import { ipv4ToInt, RouteCheckError } from './host-addresses.js';

/**
 * The network rule for rehearsal-cloud addresses (floating IPs, tenant subnets): the host sends to
 * one only when its route leads into a network the cloud made, never along the default route to
 * whatever the machine's network has at that address.
 */

export { RouteCheckError };

export interface HostRoute {
  iface: string;
  /** Network address and prefix length, e.g. 203.0.113.0/24; 0.0.0.0/0 is the default route. */
  destination: string;
  prefix: number;
}

/** /proc/net/route holds addresses as little-endian hex. */
function fromProcHex(hex: string): number {
  const n = Number.parseInt(hex, 16);
  return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | ((n >>> 24) & 0xff)) >>> 0;
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** The host's IPv4 routing table (main table) as the kernel shows it in /proc/net/route. */
export function parseProcRoutes(text: string): Array<HostRoute & { network: number; mask: number }> {
  const routes: Array<HostRoute & { network: number; mask: number }> = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8) continue;
    const [iface, dest, , flags, , , , maskHex] = cols as [string, string, string, string, string, string, string, string];
    // RTF_UP: a route that is down carries nothing.
    if ((Number.parseInt(flags, 16) & 0x1) === 0) continue;
    const network = fromProcHex(dest);
    const mask = fromProcHex(maskHex);
    let prefix = 0;
    for (let bits = mask; bits !== 0; bits = (bits << 1) >>> 0) prefix += 1;
    routes.push({ iface, destination: `${intToIpv4(network)}/${prefix}`, prefix, network, mask });
  }
  return routes;
}

/** The route the host would use for `address` (longest prefix), or undefined when there is none. */
export function routeFor(address: string, table = readFileSync('/proc/net/route', 'utf8')): HostRoute | undefined {
  const target = ipv4ToInt(address);
  let best: (HostRoute & { network: number; mask: number }) | undefined;
  for (const route of parseProcRoutes(table)) {
    if (((target & route.mask) >>> 0) !== route.network) continue;
    if (!best || route.prefix > best.prefix) best = route;
  }
  return best && { iface: best.iface, destination: best.destination, prefix: best.prefix };
}

/** The host's bridge of each Docker network labelled as cloud `cloud`'s (any rehearsal cloud's for `null`). */
async function cloudNetworkBridges(client: Docker, cloud: string | null): Promise<Array<{ network: string; bridge: string }>> {
  const networks = await client.listNetworks({ filters: { label: [cloud === null ? CLOUD_LABEL : `${CLOUD_LABEL}=${cloud}`] } });
  return networks
    .filter((n) => n.Driver === 'bridge')
    .map((n) => ({ network: n.Name, bridge: n.Options?.['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}` }));
}

/** Host bridge names of the Docker networks labelled as cloud `cloud`'s (`null`: any rehearsal cloud's). */
export async function cloudBridges(client: Docker, cloud: string | null = CLOUD_CONTAINER): Promise<string[]> {
  return (await cloudNetworkBridges(client, cloud)).map((n) => n.bridge);
}

/** The host's routes into cloud `cloud` (one per external network's Docker network, made by Docker). */
export async function cloudHostRoutes(client: Docker, cloud = CLOUD_CONTAINER, table = readFileSync('/proc/net/route', 'utf8')): Promise<Array<{ network: string; bridge: string; destination: string }>> {
  const routes = parseProcRoutes(table);
  return (await cloudNetworkBridges(client, cloud)).flatMap(({ network, bridge }) =>
    routes.filter((r) => r.iface === bridge).map((r) => ({ network, bridge, destination: r.destination })));
}

/**
 * Throws unless the host's route to `address` goes out through a bridge of one of cloud `cloud`'s
 * Docker networks, or any rehearsal cloud's for `null` (and not along the default route).
 * Returns that route.
 */
export async function requireRouteIntoCloud(client: Docker, address: string, cloud: string | null = CLOUD_CONTAINER, table?: string): Promise<HostRoute> {
  const route = routeFor(address, table);
  const bridges = await cloudBridges(client, cloud);
  if (!route || route.prefix === 0 || !bridges.includes(route.iface)) {
    const where = !route ? 'no route' : route.prefix === 0 ? `the default route (via ${route.iface})` : `${route.destination} on ${route.iface}`;
    throw new RouteCheckError(
      `refusing to send to ${address}: the host's route to it is ${where}, which does not lead into ${cloud === null ? 'any rehearsal cloud' : `rehearsal cloud ${cloud}`} ` +
        `(its networks' bridges: ${bridges.join(', ') || 'none; was it created with --servers containers?'})`,
    );
  }
  return route;
}

