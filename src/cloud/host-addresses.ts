import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';

/** IPv4 arithmetic for the rehearsal cloud's address checks, and the addresses the host needs. */

export class RouteCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteCheckError';
  }
}

export function ipv4ToInt(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new RouteCheckError(`not an IPv4 address: ${address}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** Whether `address` is inside `cidr` (IPv4). */
export function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((ipv4ToInt(address) & mask) >>> 0) === ((ipv4ToInt(base) & mask) >>> 0);
}

/** Names the host must keep reaching while a cloud runs: the package archives it installs from. */
export const HOST_NEEDS = ['deb.debian.org', 'security.debian.org', 'registry.npmjs.org'];

/**
 * Addresses the host uses that fall inside `cidr`: its DNS servers and what HOST_NEEDS resolve to
 * (each lookup bounded; a name that does not resolve is skipped). Routing `cidr` into a cloud
 * would cut the host off from them.
 */
export async function hostAddressesIn(cidr: string, resolvConf = '/etc/resolv.conf', timeoutMs = 5000): Promise<string[]> {
  const found = new Set<string>();
  let conf = '';
  try {
    conf = readFileSync(resolvConf, 'utf8');
  } catch {
    // No resolv.conf: no DNS servers to protect.
  }
  for (const match of conf.matchAll(/^nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)) {
    if (inCidr(match[1]!, cidr)) found.add(`${match[1]} (DNS server)`);
  }
  const bounded = (name: string) => Promise.race([
    lookup(name, { all: true, family: 4 }).catch(() => []),
    new Promise<[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref()),
  ]);
  const results = await Promise.all(HOST_NEEDS.map(async (name) => ({ name, addresses: await bounded(name) })));
  for (const { name, addresses } of results) {
    for (const a of addresses) if (inCidr(a.address, cidr)) found.add(`${a.address} (${name})`);
  }
  return [...found];
}
