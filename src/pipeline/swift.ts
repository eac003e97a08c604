/**
 * The few Swift (OpenStack Object Storage) calls the pipeline makes from TypeScript: tempauth v1
 * to get a token and the storage URL, then plain HTTP on objects. On the openstack target the
 * token and storage URL come from Keystone's catalog instead; everything after `auth` is the same.
 */
import { fetchWithin } from '../net/deadline.js';

const TIMEOUT_MS = 30_000;

export interface SwiftAuth {
  storageUrl: string;
  token: string;
}

export async function swiftAuth(authUrl: string, user: string, key: string): Promise<SwiftAuth> {
  const response = await fetchWithin(5000, authUrl, { headers: { 'X-Auth-User': user, 'X-Auth-Key': key } });
  if (!response.ok) throw new Error(`Swift auth at ${authUrl}: HTTP ${response.status}`);
  const storageUrl = response.headers.get('x-storage-url');
  const token = response.headers.get('x-auth-token');
  if (!storageUrl || !token) throw new Error(`Swift auth at ${authUrl}: no X-Storage-Url or X-Auth-Token in the answer`);
  // The storage URL names the host the proxy was asked on; from here that is the published port.
  const published = new URL(authUrl);
  const url = new URL(storageUrl);
  url.host = published.host;
  return { storageUrl: url.toString().replace(/\/$/, ''), token };
}

export class SwiftClient {
  constructor(
    readonly auth: SwiftAuth,
    readonly bucket: string,
  ) {}

  private url(key?: string): string {
    return `${this.auth.storageUrl}/${encodeURIComponent(this.bucket)}${key ? `/${key.split('/').map(encodeURIComponent).join('/')}` : ''}`;
  }

  private async call(method: string, key: string | undefined, body?: Uint8Array | string): Promise<Response> {
    return fetchWithin(TIMEOUT_MS, this.url(key), { method, headers: { 'X-Auth-Token': this.auth.token }, ...(body !== undefined ? { body } : {}) });
  }

  async ensureBucket(): Promise<void> {
    const response = await this.call('PUT', undefined);
    if (!response.ok) throw new Error(`PUT container ${this.bucket}: HTTP ${response.status}`);
  }

  async exists(key: string): Promise<boolean> {
    const response = await this.call('HEAD', key);
    if (response.status === 404) return false;
    if (!response.ok) throw new Error(`HEAD ${this.bucket}/${key}: HTTP ${response.status}`);
    return true;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const response = await this.call('PUT', key, body);
    if (!response.ok) throw new Error(`PUT ${this.bucket}/${key}: HTTP ${response.status}`);
  }

  async get(key: string): Promise<Buffer> {
    const response = await this.call('GET', key);
    if (!response.ok) throw new Error(`GET ${this.bucket}/${key}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Object names under `prefix` (one listing page: up to 10,000 names). */
  async list(prefix: string): Promise<string[]> {
    const response = await fetchWithin(TIMEOUT_MS, `${this.url()}?prefix=${encodeURIComponent(prefix)}&format=json`, { headers: { 'X-Auth-Token': this.auth.token } });
    if (!response.ok) throw new Error(`GET container ${this.bucket}: HTTP ${response.status}`);
    return ((await response.json()) as Array<{ name: string }>).map((o) => o.name);
  }
}
