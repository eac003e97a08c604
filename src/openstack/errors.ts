/**
 * Errors of the OpenStack client. Every message says which cloud, which service and which call,
 * and what the cloud answered, so a CLI can print it as is. No message ever contains a request
 * body, a token or a password.
 */

/** The cloud answered, but not with success. */
export class OpenStackApiError extends Error {
  constructor(
    /** Human service name and type, e.g. `Nova (compute)`. */
    readonly service: string,
    /** `GET /servers/detail` — method and path, without query secrets (there are none). */
    readonly call: string,
    readonly status: number,
    /** What the cloud said, extracted from its error body. */
    readonly detail: string,
    readonly cloud: string,
  ) {
    super(`${service} of cloud "${cloud}": ${call} answered ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'OpenStackApiError';
  }
}

/** No answer at all: DNS, refused connection, TLS failure or timeout. */
export class CloudUnreachableError extends Error {
  constructor(
    readonly service: string,
    readonly url: string,
    readonly reason: string,
    readonly cloud: string,
  ) {
    super(`cannot reach ${service} of cloud "${cloud}" at ${url}: ${reason}`);
    this.name = 'CloudUnreachableError';
  }
}

/** Keystone refused the credentials (401) or the scope. */
export class AuthenticationError extends Error {
  constructor(
    readonly cloud: string,
    readonly source: string,
    detail: string,
  ) {
    super(`Keystone of cloud "${cloud}" refused the credentials from ${source}: ${detail}`);
    this.name = 'AuthenticationError';
  }
}

/** A clouds.yaml entry or OS_* variables exist but cannot be used (missing or contradictory fields). */
export class CloudConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudConfigError';
  }
}

/** The catalog of the cloud has no endpoint for a service the toolkit needs. */
export class NoEndpointError extends Error {
  constructor(
    readonly cloud: string,
    readonly serviceType: string,
    detail: string,
  ) {
    super(`cloud "${cloud}" has no ${serviceType} endpoint ${detail}`);
    this.name = 'NoEndpointError';
  }
}

/** Turns whatever an OpenStack service put in an error body into one short line. */
export function errorDetail(body: string, contentType: string | null): string {
  const text = body.trim();
  if (!text) return '';
  if (contentType?.includes('json') || text.startsWith('{')) {
    try {
      const found = messageIn(JSON.parse(text) as unknown, 0);
      if (found) return clip(found);
    } catch {
      // Not JSON after all: fall through to the text handling.
    }
  }
  // HTML error pages (Swift, Glance, proxies): keep the words, drop the markup.
  const words = text
    .replace(/<head>[\s\S]*?<\/head>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clip(words);
}

/** Finds the message in the error shapes of Keystone, Nova, Cinder, Neutron, Glance and Placement. */
function messageIn(value: unknown, depth: number): string | undefined {
  if (depth > 3 || value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  // Neutron: {NeutronError: {type, message, detail}}; Placement: {errors: [{title, detail}]}.
  if (Array.isArray(record.errors) && record.errors.length > 0) {
    const first = record.errors[0] as Record<string, unknown>;
    const parts = [first.title, first.detail].filter((p): p is string => typeof p === 'string');
    if (parts.length > 0) return parts.join(': ');
  }
  for (const key of ['message', 'detail', 'title', 'faultstring']) {
    if (typeof record[key] === 'string' && record[key]) return record[key];
  }
  for (const inner of Object.values(record)) {
    const found = messageIn(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** The reason a fetch failed without an answer, from Node's error chain (`fetch failed` says nothing). */
export function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      if (code === 'ECONNREFUSED') return 'connection refused (is the cloud running, is the URL right?)';
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host name does not resolve (${code})`;
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset by the server';
      return code ? `${code}: ${cause.message}` : cause.message;
    }
    return error.message;
  }
  return String(error);
}

/**
 * No cloud is configured (no clouds.yaml entry, no OS_* variables): quota cannot be checked.
 * Part of the preflight contract; re-exported by quota.ts, where preflight imports it from.
 */
export class NoCloudConfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoCloudConfiguredError';
  }
}
