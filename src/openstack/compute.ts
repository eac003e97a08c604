import type { OpenStackSession } from './session.js';

/** Nova calls the toolkit needs (microversion 2.60, see session.ts). */

export interface ServerAddress {
  /** OpenStack network name. */
  network: string;
  addr: string;
  version: number;
  /** `fixed` (the port's address) or `floating`. */
  type: string;
}

export interface Server {
  id: string;
  name: string;
  status: string;
  metadata: Record<string, string>;
  addresses: ServerAddress[];
  /** Flavor name (embedded in the server since 2.47). */
  flavor: string;
  /** The flavor's vCPUs and RAM as embedded in the server (2.47+); absent from older Novas. */
  vcpus?: number;
  ramMb?: number;
  created: string;
  /** Fault message of an ERROR server. */
  fault?: string;
}

interface RawServer {
  id: string;
  name: string;
  status: string;
  metadata?: Record<string, string>;
  addresses?: Record<string, Array<{ addr: string; version: number; 'OS-EXT-IPS:type'?: string }>>;
  flavor?: { original_name?: string; id?: string; vcpus?: number; ram?: number };
  created: string;
  fault?: { message?: string };
}

function toServer(raw: RawServer): Server {
  const addresses: ServerAddress[] = [];
  for (const [network, list] of Object.entries(raw.addresses ?? {})) {
    for (const a of list) addresses.push({ network, addr: a.addr, version: a.version, type: a['OS-EXT-IPS:type'] ?? 'fixed' });
  }
  return {
    id: raw.id,
    name: raw.name,
    status: raw.status,
    metadata: raw.metadata ?? {},
    addresses,
    flavor: raw.flavor?.original_name ?? raw.flavor?.id ?? '',
    ...(typeof raw.flavor?.vcpus === 'number' ? { vcpus: raw.flavor.vcpus } : {}),
    ...(typeof raw.flavor?.ram === 'number' ? { ramMb: raw.flavor.ram } : {}),
    created: raw.created,
    fault: raw.fault?.message,
  };
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

export interface Keypair {
  name: string;
  fingerprint: string;
  type?: string;
}

export interface ComputeService {
  binary: string;
  host: string;
  state: string;
  status: string;
  updated_at?: string | null;
}

export interface CreateServerRequest {
  name: string;
  flavorId: string;
  imageId: string;
  metadata?: Record<string, string>;
  /** Port ids, network ids, or `none` for no network at all. */
  networks: Array<{ port: string } | { uuid: string }> | 'none';
  keyName?: string;
  securityGroups?: string[];
  /** User data as text (cloud-init reads it); sent base64-encoded as Nova wants it. */
  userData?: string;
}

export class ComputeApi {
  constructor(private readonly session: OpenStackSession) {}

  /** Servers of the token's project, with details. */
  async listServers(query: Record<string, string> = {}): Promise<Server[]> {
    const raw = await this.session.list<RawServer>('compute', '/servers/detail', 'servers', { limit: 200, ...query });
    return raw.map(toServer);
  }

  async getServer(id: string): Promise<Server | undefined> {
    const response = await this.session.request<{ server: RawServer }>('compute', 'GET', `/servers/${id}`, { okStatus: [404] });
    return response.status === 404 || !response.json ? undefined : toServer(response.json.server);
  }

  async createServer(request: CreateServerRequest): Promise<{ id: string }> {
    const body = {
      server: {
        name: request.name,
        flavorRef: request.flavorId,
        imageRef: request.imageId,
        networks: request.networks,
        ...(request.metadata ? { metadata: request.metadata } : {}),
        ...(request.keyName ? { key_name: request.keyName } : {}),
        ...(request.securityGroups ? { security_groups: request.securityGroups.map((name) => ({ name })) } : {}),
        ...(request.userData !== undefined ? { user_data: Buffer.from(request.userData, 'utf8').toString('base64') } : {}),
      },
    };
    const response = await this.session.json<{ server: { id: string } }>('compute', 'POST', '/servers', { body });
    return { id: response.server.id };
  }

  /** `os-stop` (SHUTOFF), `os-start` (ACTIVE) or a reboot; Nova does it asynchronously. */
  async serverAction(id: string, action: 'os-stop' | 'os-start' | { reboot: { type: 'SOFT' | 'HARD' } }): Promise<void> {
    const body = typeof action === 'string' ? { [action]: null } : action;
    await this.session.call('compute', 'POST', `/servers/${id}/action`, { body });
  }

  /** Returns false when the server was already gone. */
  async deleteServer(id: string): Promise<boolean> {
    return (await this.session.call('compute', 'DELETE', `/servers/${id}`, { okStatus: [404] })) !== 404;
  }

  /** Attaches a volume (Nova asks Cinder); the volume goes `in-use` asynchronously. */
  async attachVolume(serverId: string, volumeId: string): Promise<void> {
    await this.session.json('compute', 'POST', `/servers/${serverId}/os-volume_attachments`, { body: { volumeAttachment: { volumeId } } });
  }

  /** Detaches a volume; it goes `available` asynchronously. False when it was not attached there. */
  async detachVolume(serverId: string, volumeId: string): Promise<boolean> {
    return (await this.session.call('compute', 'DELETE', `/servers/${serverId}/os-volume_attachments/${volumeId}`, { okStatus: [404] })) !== 404;
  }

  async listFlavors(): Promise<Flavor[]> {
    return this.session.list<Flavor>('compute', '/flavors/detail', 'flavors', { is_public: 'None' });
  }

  async createFlavor(flavor: { name: string; vcpus: number; ram: number; disk: number }): Promise<Flavor> {
    const body = { flavor: { name: flavor.name, vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk, 'os-flavor-access:is_public': true } };
    return (await this.session.json<{ flavor: Flavor }>('compute', 'POST', '/flavors', { body })).flavor;
  }

  /** The caller's keypairs; admin: another user's, by `userId` (keypairs belong to users, not projects). */
  async listKeypairs(userId?: string): Promise<Keypair[]> {
    const body = await this.session.json<{ keypairs: Array<{ keypair: Keypair }> }>('compute', 'GET', '/os-keypairs', userId ? { query: { user_id: userId } } : {});
    return body.keypairs.map((k) => k.keypair);
  }

  async createKeypair(name: string, publicKey: string): Promise<Keypair> {
    return (await this.session.json<{ keypair: Keypair }>('compute', 'POST', '/os-keypairs', { body: { keypair: { name, public_key: publicKey } } })).keypair;
  }

  async deleteKeypair(name: string, userId?: string): Promise<boolean> {
    return (await this.session.call('compute', 'DELETE', `/os-keypairs/${encodeURIComponent(name)}`, { okStatus: [404], ...(userId ? { query: { user_id: userId } } : {}) })) !== 404;
  }

  /** `os-quota-sets/{project}/detail`: limit and in_use of every compute quota. */
  async quotaDetail(projectId: string): Promise<Record<string, { limit: number; in_use: number; reserved?: number }>> {
    const body = await this.session.json<{ quota_set: Record<string, unknown> }>('compute', 'GET', `/os-quota-sets/${projectId}/detail`);
    return pickQuotaEntries(body.quota_set, 'in_use');
  }

  /** Admin only: sets compute quotas of a project (instances, cores, ram, key_pairs...). */
  async updateQuota(projectId: string, quotas: Record<string, number>): Promise<void> {
    await this.session.json('compute', 'PUT', `/os-quota-sets/${projectId}`, { body: { quota_set: quotas } });
  }

  /** Admin only: nova-compute, nova-scheduler, nova-conductor and their state. */
  async listServices(): Promise<ComputeService[]> {
    const body = await this.session.json<{ services: ComputeService[] }>('compute', 'GET', '/os-services');
    return body.services;
  }
}

/** Keeps the `{limit, in_use|used, ...}` entries of a quota answer (drops `id` and plain numbers). */
export function pickQuotaEntries(
  set: Record<string, unknown>,
  usedKey: 'in_use' | 'used',
): Record<string, { limit: number; in_use: number; reserved?: number }> {
  const out: Record<string, { limit: number; in_use: number; reserved?: number }> = {};
  for (const [key, value] of Object.entries(set)) {
    if (value && typeof value === 'object' && 'limit' in value) {
      const entry = value as Record<string, unknown>;
      out[key] = { limit: Number(entry.limit), in_use: Number(entry[usedKey] ?? 0), reserved: Number(entry.reserved ?? 0) };
    }
  }
  return out;
}
