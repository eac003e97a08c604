/**
 * An abort signal that fires after `ms`, on a ref'd timer. AbortSignal.timeout's timer is unref'd:
 * while undici waits on a connection that a Docker port proxy accepted but nothing answers, no
 * other handle may keep Node alive, and a CLI exits mid-wait (code 13, unsettled await).
 * Call `clear()` once the response (body included) is read.
 */
export function deadlineSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Statuses whose Response may not carry a body (the Fetch standard's "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * fetch whose whole exchange — connecting, the headers and the body — ends within `ms`, on a
 * ref'd timer (deadlineSignal). The body is read here, so the Response returned is complete and
 * its `json()` / `text()` / `arrayBuffer()` cannot hang afterwards. The one way the toolkit bounds
 * an HTTP call outside the OpenStack session.
 */
export async function fetchWithin(ms: number, url: string, init: RequestInit = {}): Promise<Response> {
  const deadline = deadlineSignal(ms);
  try {
    const response = await fetch(url, { ...init, signal: deadline.signal });
    const body = NULL_BODY.has(response.status) ? null : await response.arrayBuffer();
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } finally {
    deadline.clear();
  }
}
