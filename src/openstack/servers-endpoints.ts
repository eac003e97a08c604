import type { Course, ServersInterface } from '../course/model.js';
import { SERVERS_INTERFACES } from '../course/model.js';
import { TargetError } from '../targets/driver.js';
import type { OpenStackSession } from './session.js';

/**
 * Where the course's servers reach the cloud's APIs. The toolkit talks to the cloud from the
 * instructor's machine, through the interface clouds.yaml names; what runs on the servers
 * (Prometheus' discovery on the monitoring host, the pipeline's S3 transfers) talks to it from
 * inside the cloud, through the catalog interface `cloud.servers_interface` names. On a research
 * cloud both are `public`. On the rehearsal cloud the public endpoints are this machine's
 * loopback and the internal ones the cloud's address on its external network
 * (src/cloud/internal-endpoints.ts), so without the field the catalog decides.
 */

export interface ServersEndpoints {
  interface: ServersInterface;
  /** Keystone as the servers reach it, with its API version (`…/v3`). */
  identity: string;
  /** Scheme, host and port of the object store at that interface, when the catalog has one. */
  objectStoreOrigin?: string;
  /** Why this interface, for progress lines: the course's field, or what the catalog showed. */
  reason: string;
}

const LOOPBACK_HOST = /^(127\.|localhost$|\[?::1\]?$)/;

export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK_HOST.test(new URL(url).hostname);
}

/** Keystone's URL with its version: Prometheus' discovery wants `…/v3`, catalogs may omit it. */
function withIdentityVersion(url: string): string {
  const bare = url.replace(/\/+$/, '');
  return /\/v3$/.test(bare) ? bare : `${bare}/v3`;
}

/** What the choice reads of a session: its catalog, and the Keystone URL it authenticated at. */
export type CatalogView = Pick<OpenStackSession, 'catalogUrl'> & { config: { authUrl: string } };

export function serversEndpoints(course: Pick<Course, 'file' | 'cloud'>, session: CatalogView): ServersEndpoints {
  const identityAt = (iface: ServersInterface) => session.catalogUrl('identity', iface) ?? (iface === 'public' ? session.config.authUrl : undefined);
  let chosen: ServersInterface;
  let reason: string;
  if (course.cloud.serversInterface) {
    chosen = course.cloud.serversInterface;
    reason = 'cloud.servers_interface';
  } else {
    const publicIdentity = identityAt('public');
    const internalIdentity = identityAt('internal');
    const publicUnreachable = publicIdentity !== undefined && isLoopbackUrl(publicIdentity);
    chosen = publicUnreachable && internalIdentity !== undefined && !isLoopbackUrl(internalIdentity) ? 'internal' : 'public';
    reason = chosen === 'internal' ? `the catalog's public endpoints are on this machine's loopback, ${new URL(publicIdentity!).origin}` : 'the default';
  }

  const identity = identityAt(chosen);
  const offered = SERVERS_INTERFACES.filter((iface) => {
    const url = identityAt(iface);
    return url !== undefined && !isLoopbackUrl(url);
  });
  const choose = offered.length > 0 ? `set cloud.servers_interface to ${offered.join(' or ')}, where the catalog's identity endpoint is not on this machine` : 'the catalog names no address the servers can reach: ask the cloud\'s operators which endpoints VMs use';
  if (identity === undefined) {
    throw new TargetError(`${course.file}: cloud.servers_interface is ${chosen} (${reason}), and the cloud's catalog has no ${chosen} identity endpoint`, choose);
  }
  if (isLoopbackUrl(identity)) {
    throw new TargetError(
      `${course.file}: cloud.servers_interface is ${chosen} (${reason}), and the catalog's ${chosen} identity endpoint ${new URL(identity).origin} is on this machine's loopback, which the course's servers cannot reach`,
      choose,
    );
  }
  const objectStore = session.catalogUrl('object-store', chosen);
  return {
    interface: chosen,
    identity: withIdentityVersion(identity),
    ...(objectStore ? { objectStoreOrigin: new URL(objectStore).origin } : {}),
    reason,
  };
}
