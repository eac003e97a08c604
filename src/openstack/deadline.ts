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
