import type { OpenStackSession } from './session.js';

/** Swift calls the toolkit needs: containers, their metadata, and emptying them for a sweep. */

export interface SwiftContainer {
  name: string;
  count: number;
  bytes: number;
  /** `X-Container-Meta-*` headers, keys lower-case without the prefix (`resops-course`). */
  metadata: Record<string, string>;
}

const META_PREFIX = 'x-container-meta-';

export class ObjectStoreApi {
  constructor(private readonly session: OpenStackSession) {}

  /** Containers of the project's account, each with its metadata (one HEAD per container). */
  async listContainers(withMetadata = true): Promise<SwiftContainer[]> {
    const names: Array<{ name: string; count: number; bytes: number }> = [];
    let marker = '';
    for (let page = 0; page < 50; page++) {
      const body = await this.session.json<Array<{ name: string; count: number; bytes: number }>>('object-store', 'GET', '', {
        query: { format: 'json', limit: 1000, ...(marker ? { marker } : {}) },
        okStatus: [204],
      });
      const batch = body ?? [];
      names.push(...batch);
      if (batch.length < 1000) break;
      marker = batch[batch.length - 1].name;
    }
    const containers: SwiftContainer[] = [];
    for (const c of names) {
      if (!withMetadata) {
        containers.push({ ...c, metadata: {} });
        continue;
      }
      // The account listing's counts lag (Swift's container updater refreshes them); HEAD is exact.
      const head = await this.headContainer(c.name);
      if (head) containers.push({ name: c.name, ...head });
    }
    return containers;
  }

  /** Object count, bytes and metadata of one container; undefined when it does not exist. */
  async headContainer(name: string): Promise<Omit<SwiftContainer, 'name'> | undefined> {
    const response = await this.session.request('object-store', 'HEAD', `/${encodeURIComponent(name)}`, { okStatus: [404] });
    if (response.status === 404) return undefined;
    const metadata: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      if (key.toLowerCase().startsWith(META_PREFIX)) metadata[key.toLowerCase().slice(META_PREFIX.length)] = value;
    });
    return {
      count: Number(response.headers.get('x-container-object-count') ?? 0),
      bytes: Number(response.headers.get('x-container-bytes-used') ?? 0),
      metadata,
    };
  }

  async createContainer(name: string, metadata: Record<string, string> = {}): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(metadata)) headers[`X-Container-Meta-${key}`] = value;
    await this.session.call('object-store', 'PUT', `/${encodeURIComponent(name)}`, { headers });
  }

  async putObject(container: string, object: string, data: string | Uint8Array): Promise<void> {
    await this.session.call('object-store', 'PUT', `/${encodeURIComponent(container)}/${encodeURIComponent(object)}`, {
      rawBody: data,
      contentType: 'application/octet-stream',
    });
  }

  /** An object's content as text; undefined when it does not exist. */
  async getObject(container: string, object: string): Promise<string | undefined> {
    const response = await this.session.request('object-store', 'GET', `/${encodeURIComponent(container)}/${encodeURIComponent(object)}`, { okStatus: [404] });
    return response.status === 404 ? undefined : response.text;
  }

  /** Deletes every object, then the container. Returns false when it was already gone. Bounded. */
  async deleteContainer(name: string): Promise<boolean> {
    const path = `/${encodeURIComponent(name)}`;
    for (let round = 0; round < 100; round++) {
      const response = await this.session.request<Array<{ name: string }>>('object-store', 'GET', path, {
        query: { format: 'json', limit: 1000 },
        okStatus: [204, 404],
      });
      if (response.status === 404) return false;
      const objects = response.json ?? [];
      if (objects.length === 0) break;
      for (const object of objects) {
        await this.session.call('object-store', 'DELETE', `${path}/${encodeURIComponent(object.name)}`, { okStatus: [404] });
      }
    }
    return (await this.session.call('object-store', 'DELETE', path, { okStatus: [404] })) !== 404;
  }
}
