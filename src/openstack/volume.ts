import { pickQuotaEntries } from './compute.js';
import type { OpenStackSession } from './session.js';

/** Cinder v3 calls the toolkit needs. */

export interface Volume {
  id: string;
  name: string | null;
  status: string;
  size: number;
  metadata: Record<string, string>;
  /** ISO time Cinder made it (no zone suffix: Cinder's times are UTC). */
  created_at?: string;
  attachments: Array<{ server_id: string; attachment_id?: string; device?: string }>;
}

export interface VolumeService {
  binary: string;
  host: string;
  state: string;
  status: string;
  updated_at?: string | null;
}

export class VolumeApi {
  constructor(private readonly session: OpenStackSession) {}

  listVolumes(query: Record<string, string> = {}): Promise<Volume[]> {
    return this.session.list<Volume>('volume', '/volumes/detail', 'volumes', { limit: 200, ...query });
  }

  async getVolume(id: string): Promise<Volume | undefined> {
    const response = await this.session.request<{ volume: Volume }>('volume', 'GET', `/volumes/${id}`, { okStatus: [404] });
    return response.status === 404 || !response.json ? undefined : response.json.volume;
  }

  async createVolume(request: { name: string; size: number; metadata?: Record<string, string> }): Promise<Volume> {
    const body = { volume: { name: request.name, size: request.size, metadata: request.metadata ?? {} } };
    return (await this.session.json<{ volume: Volume }>('volume', 'POST', '/volumes', { body })).volume;
  }

  /** Returns false when the volume was already gone. */
  async deleteVolume(id: string): Promise<boolean> {
    return (await this.session.call('volume', 'DELETE', `/volumes/${id}`, { okStatus: [404] })) !== 404;
  }

  /** `os-quota-sets/{project}?usage=true`: limit and in_use of volumes, gigabytes, snapshots... */
  async quotaDetail(projectId: string): Promise<Record<string, { limit: number; in_use: number; reserved?: number }>> {
    const body = await this.session.json<{ quota_set: Record<string, unknown> }>('volume', 'GET', `/os-quota-sets/${projectId}`, {
      query: { usage: 'true' },
    });
    return pickQuotaEntries(body.quota_set, 'in_use');
  }

  /** Admin only. Keys: volumes, gigabytes, snapshots, backups... */
  async updateQuota(projectId: string, quotas: Record<string, number>): Promise<void> {
    await this.session.json('volume', 'PUT', `/os-quota-sets/${projectId}`, { body: { quota_set: quotas } });
  }

  /** Admin only: cinder-scheduler and cinder-volume and their state. */
  async listServices(): Promise<VolumeService[]> {
    return (await this.session.json<{ services: VolumeService[] }>('volume', 'GET', '/os-services')).services;
  }
}
