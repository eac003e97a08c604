import type { OpenStackSession } from './session.js';

/** Glance v2 calls the toolkit needs. */

export interface Image {
  id: string;
  name: string;
  status: string;
  size?: number | null;
  visibility: string;
  min_disk?: number;
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

  async deleteImage(id: string): Promise<boolean> {
    return (await this.session.call('image', 'DELETE', `/images/${id}`, { okStatus: [404] })) !== 404;
  }
}
