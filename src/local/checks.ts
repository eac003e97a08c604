/**
 * The health checks `status` and `up` use, each bounded in time and aimed at 127.0.0.1 ports the
 * lab publishes: an SSH banner, an HTTP GET, a Prometheus query.
 */
import { connect } from 'node:net';
import { fetchWithin } from '../net/deadline.js';
import type { Credential } from '../access/gnocchi-users.js';

export interface CheckResult {
  /** What was checked, as a user could repeat it: `SSH answers on 127.0.0.1:2201`. */
  check: string;
  ok: boolean;
  /** What was seen: the banner, the HTTP status, the error. */
  detail: string;
}

/** Connects and reads the first line; healthy when the server greets with `SSH-2.0`. */
export function sshBanner(port: number, timeoutMs = 3000, host = '127.0.0.1'): Promise<CheckResult> {
  const check = `SSH answers on ${host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    const finish = (ok: boolean, detail: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ check, ok, detail });
    };
    const timer = setTimeout(() => finish(false, data ? `no SSH greeting, got ${JSON.stringify(data.slice(0, 40))}` : `no answer in ${timeoutMs / 1000}s`), timeoutMs);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const line = data.split(/\r?\n/)[0] ?? '';
      if (data.includes('\n')) finish(line.startsWith('SSH-2.0'), line.trim());
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(false, error.code ?? error.message));
    socket.on('end', () => finish(false, data ? `closed after ${JSON.stringify(data.slice(0, 40))}` : 'closed without a greeting'));
  });
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** A GET with a deadline; basic auth as `user:password` when given. */
export async function httpGet(url: string, options: { auth?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.auth !== undefined) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  // fetchWithin: a ref'd timer, or Node would exit mid-`up` while undici waits on a silent port.
  const response = await fetchWithin(options.timeoutMs ?? 3000, url, { headers });
  return { status: response.status, body: await response.text() };
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code) return cause.code;
    if (error.name === 'TimeoutError') return 'no answer in time';
    return error.message;
  }
  return String(error);
}

/** Healthy on HTTP 200. */
export async function httpCheck(check: string, url: string, options: { auth?: string; timeoutMs?: number } = {}): Promise<CheckResult> {
  try {
    const answer = await httpGet(url, options);
    return { check, ok: answer.status === 200, detail: `HTTP ${answer.status}` };
  } catch (error) {
    return { check, ok: false, detail: errorText(error) };
  }
}

export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * An instant query of Prometheus at `server` (a port on 127.0.0.1, or a base URL) with `login`
 * (every request to it needs one); throws with Prometheus' own error when the query fails.
 */
export async function promQuery(server: number | string, query: string, login: Credential, timeoutMs = 3000): Promise<PromSample[]> {
  const base = typeof server === 'number' ? `http://127.0.0.1:${server}` : server;
  const answer = await httpGet(`${base}/api/v1/query?query=${encodeURIComponent(query)}`, { timeoutMs, auth: `${login.user}:${login.password}` });
  if (answer.status === 401) throw new Error(`Prometheus refused the login \`${login.user}\` (HTTP 401)`);
  const parsed = JSON.parse(answer.body) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (parsed.status !== 'success' || !parsed.data) throw new Error(parsed.error ?? `HTTP ${answer.status}`);
  return parsed.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

/** The `up` value of every node-exporter target, by instance; an empty map when Prometheus cannot say. */
export async function nodeUp(server: number | string, login: Credential): Promise<{ up: Map<string, number>; error?: string }> {
  try {
    const samples = await promQuery(server, 'up{job="node"}', login);
    return { up: new Map(samples.map((s) => [s.labels.instance ?? '', s.value])) };
  } catch (error) {
    return { up: new Map(), error: errorText(error) };
  }
}

/**
 * Waits (bounded) until Prometheus reports `up == 1` for every instance. `configure` restarts
 * node-exporter, and a scrape that fell in the restart leaves `up = 0` for one scrape interval:
 * without this wait, `status` right after `configure` called freshly configured VMs unhealthy.
 * The instances still down at the deadline, or Prometheus' own error.
 */
export async function waitForScrapes(port: number, login: Credential, instances: string[], timeoutMs: number, pollMs = 2000): Promise<{ down: string[]; error?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const scrape = await nodeUp(port, login);
    const down = instances.filter((instance) => scrape.up.get(instance) !== 1);
    if (!down.length || Date.now() + pollMs > deadline) return { down, ...(scrape.error ? { error: scrape.error } : {}) };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
