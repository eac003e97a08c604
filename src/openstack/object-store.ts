/**
 * Swift reached through the Keystone session: its catalog's `object-store` endpoint, with the
 * session's timeouts, re-authentication, retried reads and OpenStackApiError on failures.
 * The Swift calls themselves are the toolkit's one client, src/object-store/client.ts.
 */
import type { SwiftAnswer, SwiftRequest, SwiftTransport } from '../object-store/transport.js';
import type { OpenStackSession } from './session.js';

export function keystoneSwiftTransport(session: OpenStackSession): SwiftTransport {
  return {
    async send(request: SwiftRequest): Promise<SwiftAnswer> {
      const response = await session.request('object-store', request.method, request.path, {
        ...(request.query ? { query: request.query } : {}),
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.body !== undefined ? { rawBody: request.body, contentType: 'application/octet-stream' } : {}),
        ...(request.okStatus ? { okStatus: request.okStatus } : {}),
      });
      return { status: response.status, headers: response.headers, text: response.text };
    },
  };
}
