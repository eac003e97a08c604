/**
 * Swift reached with tempauth v1 (the local target's `<id>-swift` container): a token and the
 * storage URL from the auth endpoint, then plain HTTP bounded by fetchWithin.
 */
import { fetchWithin } from '../net/deadline.js';
import type { SwiftAnswer, SwiftRequest, SwiftTransport } from './transport.js';

const AUTH_TIMEOUT_MS = 5000;
const TIMEOUT_MS = 30_000;

export interface TempauthLogin {
  storageUrl: string;
  token: string;
}

export async function tempauthLogin(authUrl: string, user: string, key: string): Promise<TempauthLogin> {
  const response = await fetchWithin(AUTH_TIMEOUT_MS, authUrl, { headers: { 'X-Auth-User': user, 'X-Auth-Key': key } });
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

export function tempauthTransport(login: TempauthLogin): SwiftTransport {
  return {
    async send(request: SwiftRequest): Promise<SwiftAnswer> {
      const query = new URLSearchParams(Object.entries(request.query ?? {}).map(([k, v]): [string, string] => [k, String(v)])).toString();
      const response = await fetchWithin(TIMEOUT_MS, `${login.storageUrl}${request.path}${query ? `?${query}` : ''}`, {
        method: request.method,
        headers: { 'X-Auth-Token': login.token, ...request.headers },
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
      if (!response.ok && !request.okStatus?.includes(response.status)) throw new Error(`${request.what}: HTTP ${response.status}`);
      return { status: response.status, headers: response.headers, text: await response.text() };
    },
  };
}
