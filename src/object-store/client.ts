/**
 * The toolkit's one Swift (OpenStack Object Storage) client: containers with their metadata,
 * objects, and emptying a container for a sweep. How it reaches Swift is its transport
 * (transport.ts); every loop over listing pages is bounded.
 */
import type { SwiftRequest, SwiftTransport } from './transport.js';

export interface SwiftContainer {
  name: string;
  count: number;
  bytes: number;
  /** `X-Container-Meta-*` headers, keys lower-case without the prefix (`resops-course`). */
  metadata: Record<string, string>;
}

const META_PREFIX = 'x-container-meta-';
/** Names per listing page (Swift's own maximum is 10,000). */
const PAGE = 1000;
/** Listing pages read at most (50,000 names with the default page). */
const MAX_PAGES = 50;
/** Rounds of list-and-delete when emptying a container (each empties up to a page). */
const MAX_EMPTYING_ROUNDS = 100;

const containerPath = (container: string) => `/${encodeURIComponent(container)}`;
/** Object names keep their slashes (`run/report.json`): each segment is encoded on its own. */
const objectPath = (container: string, object: string) => `${containerPath(container)}/${object.split('/').map(encodeURIComponent).join('/')}`;

export class ObjectStore {
  /** `pageSize`: names asked for per listing page (smaller only to exercise paging in tests). */
  constructor(
    private readonly transport: SwiftTransport,
    private readonly pageSize = PAGE,
  ) {}

  /** Containers of the account, each with its metadata (one HEAD per container). */
  async listContainers(withMetadata = true): Promise<SwiftContainer[]> {
    const names = await this.listing<{ name: string; count: number; bytes: number }>({ method: 'GET', path: '', what: 'GET account' });
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
    const answer = await this.transport.send({ method: 'HEAD', path: containerPath(name), okStatus: [404], what: `HEAD container ${name}` });
    if (answer.status === 404) return undefined;
    const metadata: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (key.toLowerCase().startsWith(META_PREFIX)) metadata[key.toLowerCase().slice(META_PREFIX.length)] = value;
    });
    return {
      count: Number(answer.headers.get('x-container-object-count') ?? 0),
      bytes: Number(answer.headers.get('x-container-bytes-used') ?? 0),
      metadata,
    };
  }

  /** Creates the container, or sets the metadata given on the one that exists (PUT is idempotent). */
  async createContainer(name: string, metadata: Record<string, string> = {}): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(metadata)) headers[`X-Container-Meta-${key}`] = value;
    await this.transport.send({ method: 'PUT', path: containerPath(name), headers, what: `PUT container ${name}` });
  }

  /** Names of the container's objects under `prefix` (all of them without one), in Swift's order. */
  async listObjects(container: string, prefix?: string): Promise<string[]> {
    const objects = await this.listing<{ name: string }>({
      method: 'GET',
      path: containerPath(container),
      ...(prefix ? { query: { prefix } } : {}),
      what: `GET container ${container}`,
    });
    return objects.map((o) => o.name);
  }

  /** Objects under `prefix` with their sizes in bytes (one listing, no HEAD per object). */
  async objectSizes(container: string, prefix: string): Promise<Map<string, number>> {
    const objects = await this.listing<{ name: string; bytes: number }>({ method: 'GET', path: containerPath(container), query: { prefix }, what: `GET container ${container}` });
    return new Map(objects.map((o) => [o.name, o.bytes]));
  }

  async objectExists(container: string, object: string): Promise<boolean> {
    const answer = await this.transport.send({ method: 'HEAD', path: objectPath(container, object), okStatus: [404], what: `HEAD ${container}/${object}` });
    return answer.status !== 404;
  }

  async putObject(container: string, object: string, data: string | Uint8Array): Promise<void> {
    await this.transport.send({ method: 'PUT', path: objectPath(container, object), body: data, what: `PUT ${container}/${object}` });
  }

  /** An object's content as text; undefined when it does not exist. */
  async getObject(container: string, object: string): Promise<string | undefined> {
    const answer = await this.transport.send({ method: 'GET', path: objectPath(container, object), okStatus: [404], what: `GET ${container}/${object}` });
    return answer.status === 404 ? undefined : answer.text;
  }

  /** Returns false when the object was already gone. */
  async deleteObject(container: string, object: string): Promise<boolean> {
    const answer = await this.transport.send({ method: 'DELETE', path: objectPath(container, object), okStatus: [404], what: `DELETE ${container}/${object}` });
    return answer.status !== 404;
  }

  /** Deletes every object, then the container. Returns false when it was already gone. Bounded. */
  async deleteContainer(name: string): Promise<boolean> {
    for (let round = 0; round < MAX_EMPTYING_ROUNDS; round++) {
      const page = await this.page<{ name: string }>({ method: 'GET', path: containerPath(name), okStatus: [404], what: `GET container ${name}` });
      if (page === undefined) return false;
      if (page.length === 0) break;
      for (const object of page) await this.deleteObject(name, object.name);
    }
    const answer = await this.transport.send({ method: 'DELETE', path: containerPath(name), okStatus: [404], what: `DELETE container ${name}` });
    return answer.status !== 404;
  }

  /** Every page of a listing, following the last name as marker (at most MAX_PAGES pages). */
  private async listing<T extends { name: string }>(request: SwiftRequest): Promise<T[]> {
    const items: T[] = [];
    let marker = '';
    for (let page = 0; page < MAX_PAGES; page++) {
      const batch = (await this.page<T>({ ...request, query: { ...request.query, ...(marker ? { marker } : {}) } })) ?? [];
      items.push(...batch);
      if (batch.length < this.pageSize) break;
      marker = batch[batch.length - 1]!.name;
    }
    return items;
  }

  /** One JSON listing page; undefined when the answer is 404 (asked for with okStatus). */
  private async page<T>(request: SwiftRequest): Promise<T[] | undefined> {
    const answer = await this.transport.send({ ...request, query: { format: 'json', limit: this.pageSize, ...request.query }, okStatus: [204, ...(request.okStatus ?? [])] });
    if (answer.status === 404) return undefined;
    // 204: an empty account or container answers with no body at all.
    if (answer.status === 204 || !answer.text) return [];
    return JSON.parse(answer.text) as T[];
  }
}
