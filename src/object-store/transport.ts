/**
 * How the object-store client reaches Swift: one request relative to the account's storage URL.
 * Two ways exist (tempauth.ts: a tempauth token and storage URL, for the local target's Swift;
 * src/openstack/object-store.ts: the Keystone session's `object-store` endpoint); the client
 * above them is the same, so every Swift call of the toolkit is written once.
 */

export interface SwiftRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'DELETE';
  /** Below the storage URL, already encoded: '' (the account), `/container` or `/container/object`. */
  path: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Statuses besides 2xx that are answers rather than errors (404 for exists, get and delete). */
  okStatus?: number[];
  /** The call in words for an error message: `PUT container c`, `HEAD c/key`. */
  what: string;
}

export interface SwiftAnswer {
  status: number;
  headers: Headers;
  /** The body as text (object names and the objects the toolkit stores are text). */
  text: string;
}

/** Resolves with a 2xx or an `okStatus` answer; throws on any other status and on no answer. */
export interface SwiftTransport {
  send(request: SwiftRequest): Promise<SwiftAnswer>;
}
