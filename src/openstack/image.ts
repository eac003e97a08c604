import type { OpenStackSession } from './session.js';

/** Glance v2 calls the toolkit needs. */

export interface Image {
  id: string;
  name: string;
  status: string;
  size?: number | null;
  visibility: string;
  min_disk?: number;
  /** Glance v2 gives an image's own properties as members of the image itself. */
  [property: string]: unknown;
}

export class ImageApi {
  constructor(private readonly session: OpenStackSession) {}

  listImages(query: Record<string, string> = {}): Promise<Image[]> {
    return this.session.list<Image>('image', '/images', 'images', { limit: 100, ...query });
  }

  /** Creates an image record and uploads its data (small images only: the body is held in memory). */
  async createImage(request: {
    name: string;
    data: Uint8Array;
    diskFormat?: string;
    containerFormat?: string;
    visibility?: 'public' | 'private' | 'shared' | 'community';
    properties?: Record<string, string>;
  }): Promise<Image> {
    const image = await this.session.json<Image>('image', 'POST', '/images', {
      body: {
        name: request.name,
        disk_format: request.diskFormat ?? 'raw',
        container_format: request.containerFormat ?? 'bare',
        visibility: request.visibility ?? 'public',
        ...request.properties,
      },
    });
    await this.session.call('image', 'PUT', `/images/${image.id}/file`, { rawBody: request.data, contentType: 'application/octet-stream' });
    return image;
  }

  /** Adds or replaces properties of an image (JSON patch; owner or admin). */
  async setProperties(id: string, properties: Record<string, string>, current: Image): Promise<void> {
    const patch = Object.entries(properties).map(([key, value]) => ({ op: key in current ? 'replace' : 'add', path: `/${key}`, value }));
    if (patch.length === 0) return;
    await this.session.call('image', 'PATCH', `/images/${id}`, { rawBody: new TextEncoder().encode(JSON.stringify(patch)), contentType: 'application/openstack-images-v2.1-json-patch' });
  }

  async deleteImage(id: string): Promise<boolean> {
    return (await this.session.call('image', 'DELETE', `/images/${id}`, { okStatus: [404] })) !== 404;
  }
}
