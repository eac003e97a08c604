import type { OpenStackClient } from '../openstack/client.js';
import type { Progress } from './container.js';

/**
 * The rehearsal cloud's catalog has two sides. Its public endpoints are 127.0.0.1 and the ports
 * the container publishes there: this machine's side, what the toolkit and the instructor use.
 * With servers as containers, its internal endpoints name the cloud's own address on the first
 * external network instead: the servers' side. A server reaches that address through its router,
 * as a VM on a research cloud reaches the cloud's API, so what runs on the servers (Prometheus'
 * OpenStack discovery, the pipeline's S3 transfers) uses the catalog as it would on a real cloud,
 * with `internal` as its interface (course field `cloud.servers_interface`).
 *
 * The services inside the container use the internal endpoints too (keystonemiddleware's default
 * interface); the container holds that address, and every service listens on all addresses.
 */

const LOOPBACK_URL = /^(https?:\/\/)127\.0\.0\.1(?=[:/]|$)/;

/** `url` with its host moved from 127.0.0.1 to `address`; undefined when it names another host. */
export function internalUrl(url: string, address: string): string | undefined {
  return LOOPBACK_URL.test(url) ? url.replace(LOOPBACK_URL, `$1${address}`) : undefined;
}

/** Moves every internal endpoint still on 127.0.0.1 to `address`; returns how many moved. */
export async function pointInternalEndpoints(admin: OpenStackClient, address: string, progress: Progress): Promise<number> {
  let moved = 0;
  for (const endpoint of await admin.identity.listEndpoints('internal')) {
    const url = internalUrl(endpoint.url, address);
    if (url === undefined) continue;
    await admin.identity.setEndpointUrl(endpoint.id, url);
    moved += 1;
  }
  if (moved > 0) progress(`  internal endpoints moved to ${address}, where servers reach the cloud (${moved} services)`);
  return moved;
}
