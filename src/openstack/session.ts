import type { CloudConfig } from './cloud-config.js';
import { deadlineSignal } from '../net/deadline.js';
import {
  AuthenticationError,
  CloudUnreachableError,
  NoEndpointError,
  OpenStackApiError,
  errorDetail,
  networkReason,
} from './errors.js';

/**
 * A Keystone v3 token and its service catalog, and the one place HTTP requests to the cloud are
 * made (Node's built-in fetch). Every request is bounded by a timeout; a 401 triggers one re-auth
 * (tokens expire during long sweeps); errors become OpenStackApiError / CloudUnreachableError
 * naming the service and the call.
 */

export type ServiceKind = 'identity' | 'compute' | 'network' | 'volume' | 'image' | 'object-store' | 'placement';

interface ServiceSpec {
  label: string;
  /** Catalog types, preferred first (clouds name Cinder v3 differently). */
  types: string[];
  /** Appended when the catalog URL carries no version. */
  version?: (url: string, projectId: string) => string;
}

const SERVICES: Record<ServiceKind, ServiceSpec> = {
  identity: { label: 'Keystone (identity)', types: ['identity'] },
  compute: {
    label: 'Nova (compute)',
    types: ['compute'],
    version: (url) => (/\/v2(\.1)?(\/[0-9a-f]+)?$/.test(url) ? url : `${url}/v2.1`),
  },
  network: { label: 'Neutron (network)', types: ['network'], version: (url) => (/\/v2\.0$/.test(url) ? url : `${url}/v2.0`) },
  volume: {
    label: 'Cinder (block-storage)',
    types: ['block-storage', 'volumev3', 'volume'],
    version: (url, projectId) => (/\/v3(\/|$)/.test(url) ? url : `${url}/v3/${projectId}`),
  },
  image: { label: 'Glance (image)', types: ['image'], version: (url) => (/\/v2$/.test(url) ? url : `${url}/v2`) },
  'object-store': { label: 'Swift (object-store)', types: ['object-store'] },
  placement: { label: 'Placement', types: ['placement'] },
};

export function serviceLabel(kind: ServiceKind): string {
  return SERVICES[kind].label;
}

interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: Array<{ interface: string; region?: string; region_id?: string; url: string }>;
}

interface TokenBody {
  token: {
    expires_at: string;
    user: { id: string; name: string; domain?: { id: string } };
    project?: { id: string; name: string; domain?: { id: string } };
    roles?: Array<{ id: string; name: string }>;
    catalog?: CatalogEntry[];
  };
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Raw body (uploads); sent as is with the given content type. */
  rawBody?: Uint8Array | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Status codes that are not errors (default: any 2xx). 404 is often expected during sweeps. */
  okStatus?: number[];
  timeoutMs?: number;
}

export interface Response<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else undefined. */
  json: T | undefined;
  text: string;
}

export interface SessionOptions {
  /**
   * Per-request timeout (default 60 s). Generous on purpose: Neutron takes tens of seconds for a
   * router on a busy cloud (or a rehearsal cloud on a loaded two-core machine).
   */
  timeoutMs?: number;
  /** Nova microversion sent on every compute call. */
  computeMicroversion?: string;
}

export class OpenStackSession {
  private token = '';
  private expiresAt = 0;
  private catalog: CatalogEntry[] = [];
  private readonly timeoutMs: number;
  readonly computeMicroversion: string;
  projectId = '';
  projectName = '';
  userId = '';
  roles: string[] = [];

  private constructor(
    readonly config: CloudConfig,
    options: SessionOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    // 2.60 (Queens): `networks: "none"` (2.37), flavor embedded in servers (2.47), tags (2.26).
    this.computeMicroversion = options.computeMicroversion ?? '2.60';
  }

  /** Authenticates once; the session re-authenticates by itself when the token expires. */
  static async connect(config: CloudConfig, options: SessionOptions = {}): Promise<OpenStackSession> {
    const session = new OpenStackSession(config, options);
    await session.authenticate();
    return session;
  }

  get cloud(): string {
    return this.config.name;
  }

  /** Keystone base URL ending in /v3. */
  get identityUrl(): string {
    const url = this.config.authUrl.replace(/\/+$/, '');
    return /\/v3$/.test(url) ? url : `${url}/v3`;
  }

  private authBody(): unknown {
    const a = this.config.auth;
    const domain = (name?: string, id?: string) => (id ? { id } : { name: name ?? 'Default' });
    if (a.type === 'application_credential') {
      const credential = a.id
        ? { id: a.id, secret: a.secret }
        : { name: a.name, secret: a.secret, user: a.userId ? { id: a.userId } : { name: a.username, domain: domain(a.userDomainName, a.userDomainId) } };
      return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
    }
    const user = a.userId
      ? { id: a.userId, password: a.password }
      : { name: a.username, domain: domain(a.userDomainName, a.userDomainId), password: a.password };
    const scope = a.projectId
      ? { project: { id: a.projectId } }
      : a.projectName
        ? { project: { name: a.projectName, domain: domain(a.projectDomainName, a.projectDomainId) } }
        : undefined;
    return { auth: { identity: { methods: ['password'], password: { user } }, ...(scope ? { scope } : {}) } };
  }

  private async authenticate(): Promise<void> {
    const url = `${this.identityUrl}/auth/tokens`;
    let response: globalThis.Response;
    let text: string;
    const deadline = deadlineSignal(this.timeoutMs);
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(this.authBody()),
        signal: deadline.signal,
      });
      text = await response.text();
    } catch (error) {
      throw new CloudUnreachableError(serviceLabel('identity'), this.identityUrl, networkReason(error, this.timeoutMs), this.cloud);
    } finally {
      deadline.clear();
    }
    if (response.status === 401 || response.status === 403) {
      throw new AuthenticationError(this.cloud, this.config.source, errorDetail(text, response.headers.get('content-type')) || `HTTP ${response.status}`);
    }
    if (!response.ok) {
      throw new OpenStackApiError(serviceLabel('identity'), 'POST /v3/auth/tokens', response.status, errorDetail(text, response.headers.get('content-type')), this.cloud);
    }
    const token = response.headers.get('x-subject-token');
    let body: TokenBody;
    try {
      body = JSON.parse(text) as TokenBody;
    } catch {
      throw new OpenStackApiError(serviceLabel('identity'), 'POST /v3/auth/tokens', response.status, 'answer is not JSON (is auth_url a Keystone?)', this.cloud);
    }
    if (!token || !body.token) {
      throw new OpenStackApiError(serviceLabel('identity'), 'POST /v3/auth/tokens', response.status, 'no token in the answer (is auth_url a Keystone v3?)', this.cloud);
    }
    this.token = token;
    this.expiresAt = Date.parse(body.token.expires_at);
    this.catalog = body.token.catalog ?? [];
    this.projectId = body.token.project?.id ?? '';
    this.projectName = body.token.project?.name ?? '';
    this.userId = body.token.user.id;
    this.roles = (body.token.roles ?? []).map((r) => r.name);
    if (!this.projectId) {
      throw new AuthenticationError(this.cloud, this.config.source, 'the token is not scoped to a project (set project_name or project_id)');
    }
  }

  /** The versioned base URL of a service from the catalog (interface and region as configured). */
  endpoint(kind: ServiceKind): string {
    const spec = SERVICES[kind];
    if (kind === 'identity') return this.identityUrl;
    const wanted = this.config.interface;
    const region = this.config.regionName;
    const url = this.catalogUrl(kind, wanted);
    if (url !== undefined) return spec.version ? spec.version(url, this.projectId) : url;
    const regions = [...new Set(this.catalog.flatMap((e) => e.endpoints.map((p) => p.region_id ?? p.region ?? '')))].filter(Boolean);
    throw new NoEndpointError(
      this.cloud,
      spec.types[0],
      `(interface ${wanted}${region ? `, region ${region}` : ''}; the catalog has ${this.catalog.map((e) => e.type).join(', ') || 'nothing'}${regions.length ? ` in ${regions.join(', ')}` : ''})`,
    );
  }

  /**
   * A service's URL in the catalog as written (no version added) for one interface, in the
   * configured region; undefined when the catalog has none. Unlike endpoint(), identity is looked
   * up too: what the catalog tells others, not the URL this session authenticated at.
   */
  catalogUrl(kind: ServiceKind, iface: CloudConfig['interface']): string | undefined {
    const region = this.config.regionName;
    for (const type of SERVICES[kind].types) {
      const endpoint = this.catalog
        .find((e) => e.type === type)
        ?.endpoints.find((e) => e.interface === iface && (!region || e.region_id === region || e.region === region));
      if (endpoint) return endpoint.url.replace(/\/+$/, '');
    }
    return undefined;
  }

  hasService(kind: ServiceKind): boolean {
    try {
      this.endpoint(kind);
      return true;
    } catch (error) {
      if (error instanceof NoEndpointError) return false;
      throw error;
    }
  }

  /** Sends one request to a service; `path` is relative to the service's versioned URL, or absolute. */
  async request<T = unknown>(kind: ServiceKind, method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    if (this.expiresAt - Date.now() < 60_000) await this.authenticate();
    let response = await this.send(kind, method, path, options);
    if (response.status === 401) {
      // Tokens can be revoked or expire early (password change, restart); re-auth once. Keystone
      // keeps revocations to the second and refuses every token issued in that second, so the new
      // one is asked for in the next second (at most ~1 s of waiting).
      await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
      await this.authenticate();
      response = await this.send(kind, method, path, options);
      if (response.status === 401) {
        throw new AuthenticationError(this.cloud, this.config.source, `${serviceLabel(kind)} refused a fresh token for ${method} ${path}`);
      }
    }
    return response as Response<T>;
  }

  private async send(kind: ServiceKind, method: string, path: string, options: RequestOptions): Promise<Response<unknown>> {
    const base = path.startsWith('http://') || path.startsWith('https://') ? '' : this.endpoint(kind);
    const url = new URL(base + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { 'X-Auth-Token': this.token, Accept: 'application/json', ...options.headers };
    if (kind === 'compute') headers['OpenStack-API-Version'] = `compute ${this.computeMicroversion}`;
    let body: string | Uint8Array | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['Content-Type'] = options.contentType ?? 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = options.contentType ?? 'application/json';
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const call = `${method} ${callPath(url, base)}`;
    let response: globalThis.Response | undefined;
    let text = '';
    // A read that got no answer is tried once more: an API worker stuck behind a busy host (or a
    // dead keep-alive connection) should not fail a whole leak check. Writes are never repeated.
    const attempts = method === 'GET' || method === 'HEAD' ? 2 : 1;
    for (let attempt = 1; response === undefined; attempt++) {
      const deadline = deadlineSignal(timeoutMs);
      try {
        response = await fetch(url, { method, headers, body, signal: deadline.signal });
        text = method === 'HEAD' ? '' : await response.text();
      } catch (error) {
        response = undefined;
        if (attempt >= attempts) throw new CloudUnreachableError(serviceLabel(kind), `${url.origin}${url.pathname}`, `${call}: ${networkReason(error, timeoutMs)}`, this.cloud);
      } finally {
        deadline.clear();
      }
    }
    const ok = options.okStatus ? options.okStatus.includes(response.status) || response.ok : response.ok;
    if (!ok && response.status !== 401) {
      throw new OpenStackApiError(serviceLabel(kind), call, response.status, errorDetail(text, response.headers.get('content-type')), this.cloud);
    }
    let json: unknown;
    if (text && (response.headers.get('content-type') ?? '').includes('json')) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  /** JSON request that must succeed; returns the parsed body. */
  async json<T>(kind: ServiceKind, method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request<T>(kind, method, path, options);
    return response.json as T;
  }

  /** A request whose body does not matter (DELETE, PUT of tags); 404 allowed when asked. */
  async call(kind: ServiceKind, method: string, path: string, options: RequestOptions = {}): Promise<number> {
    const response = await this.request(kind, method, path, options);
    return response.status;
  }

  /**
   * Follows a list through its pages (`<key>_links` rel=next for Nova, Neutron and Cinder; `next`
   * for Glance). Bounded: at most `maxPages` requests.
   */
  async list<T>(kind: ServiceKind, path: string, key: string, query: RequestOptions['query'] = {}, maxPages = 50): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    let nextQuery: RequestOptions['query'] | undefined = query;
    for (let page = 0; next && page < maxPages; page++) {
      const body: Record<string, unknown> = (await this.json<Record<string, unknown>>(kind, 'GET', next, { query: nextQuery })) ?? {};
      const pageItems = body[key];
      if (!Array.isArray(pageItems)) {
        throw new OpenStackApiError(serviceLabel(kind), `GET ${path}`, 200, `answer has no "${key}" list`, this.cloud);
      }
      items.push(...(pageItems as T[]));
      next = undefined;
      nextQuery = undefined;
      const links = body[`${key}_links`];
      if (Array.isArray(links)) {
        const link = (links as Array<{ rel: string; href: string }>).find((l) => l.rel === 'next');
        if (link && pageItems.length > 0) next = link.href;
      } else if (typeof body.next === 'string' && pageItems.length > 0) {
        // Glance gives a path relative to the service root (`/v2/images?marker=...`).
        const root = this.endpoint(kind).replace(/\/v2$/, '');
        next = new URL(body.next, root + '/').href;
      }
    }
    return items;
  }
}

/** `/servers/detail` rather than the full URL with the project id: short, and the same on every cloud. */
function callPath(url: URL, base: string): string {
  const basePath = base ? new URL(base).pathname.replace(/\/+$/, '') : '';
  const rest = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
  return rest || '/';
}
