/**
 * Reads ansible-playbook's default (human) output line by line: plays, tasks, per-host results
 * and the PLAY RECAP. The default callback is what every Ansible prints without plugins (the
 * toolbox has ansible-core only), and it streams, unlike the json callback that prints at the end.
 */

export type ResultStatus = 'ok' | 'changed' | 'skipping' | 'failed' | 'unreachable' | 'included';

export type AnsibleEvent =
  | { kind: 'play'; name: string }
  | { kind: 'task'; name: string; handler: boolean }
  | { kind: 'result'; host: string; status: ResultStatus; task: string; item?: string; message?: string }
  | { kind: 'recap'; recap: HostRecap }
  | { kind: 'warning'; message: string };

/** One PLAY RECAP row. */
export interface HostRecap {
  host: string;
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

const RECAP_FIELDS = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'] as const;

/** `host : ok=3 changed=1 unreachable=0 failed=0 skipped=2 rescued=0 ignored=0`, or undefined. */
export function parseRecapLine(line: string): HostRecap | undefined {
  const match = /^(\S+)\s+:\s+(ok=\d+.*)$/.exec(line.trim());
  if (!match) return undefined;
  const counts = new Map<string, number>();
  for (const pair of match[2]!.trim().split(/\s+/)) {
    const [key, value] = pair.split('=');
    if (key && value !== undefined && /^\d+$/.test(value)) counts.set(key, Number(value));
  }
  if (!counts.has('ok') || !counts.has('changed') || !counts.has('failed')) return undefined;
  const recap = { host: match[1]! } as HostRecap;
  for (const field of RECAP_FIELDS) recap[field] = counts.get(field) ?? 0;
  return recap;
}

/** Every recap row of a complete output (a run with several plays has one recap at the end). */
export function parseRecap(output: string): HostRecap[] {
  const rows: HostRecap[] = [];
  let inRecap = false;
  for (const line of output.split('\n')) {
    if (/^PLAY RECAP\b/.test(line)) {
      inRecap = true;
      continue;
    }
    if (!inRecap) continue;
    const row = parseRecapLine(line);
    if (row) rows.push(row);
    else if (line.trim() && !/^\s/.test(line)) inRecap = false;
  }
  return rows;
}

const HEADER = /^(PLAY|TASK|RUNNING HANDLER) \[(.*)\] \**\s*$/;
// `ok: [host]`, `changed: [host -> localhost]`, `ok: [host] => (item=x)`, `fatal: [host]: FAILED! => {…}`
const RESULT = /^(ok|changed|skipping|fatal|failed|unreachable): \[([^\]]+?)(?: -> [^\]]+)?\](.*)$/;
const INCLUDED = /^included: .* for (.+)$/;

/** A stateful line reader: feed it lines in order, it returns what each one meant. */
export class AnsibleOutputReader {
  private task = '';
  private inRecap = false;

  read(line: string): AnsibleEvent[] {
    if (/^PLAY RECAP\b/.test(line)) {
      this.inRecap = true;
      return [];
    }
    const header = HEADER.exec(line);
    if (header) {
      const [, kind, name] = header;
      this.inRecap = false;
      if (kind === 'PLAY') return [{ kind: 'play', name: name! }];
      this.task = name!;
      return [{ kind: 'task', name: name!, handler: kind === 'RUNNING HANDLER' }];
    }
    if (this.inRecap) {
      const recap = parseRecapLine(line);
      return recap ? [{ kind: 'recap', recap }] : [];
    }
    const result = RESULT.exec(line);
    if (result) {
      const [, word, host, rest] = result;
      const unreachable = word === 'unreachable' || /UNREACHABLE!/.test(rest ?? '');
      const status: ResultStatus = unreachable ? 'unreachable' : word === 'fatal' || word === 'failed' ? 'failed' : (word as ResultStatus);
      const item = /\(item=(.*?)\)/.exec(rest ?? '')?.[1];
      const message = status === 'failed' || status === 'unreachable' ? failureMessage(rest ?? '') : undefined;
      return [{ kind: 'result', host: host!, status, task: this.task, ...(item !== undefined ? { item } : {}), ...(message ? { message } : {}) }];
    }
    const included = INCLUDED.exec(line);
    if (included) {
      return included[1]!.split(',').map((host) => ({ kind: 'result' as const, host: host.trim(), status: 'included' as const, task: this.task }));
    }
    const warning = /^\[WARNING\]: (.*)$/.exec(line);
    if (warning) return [{ kind: 'warning', message: warning[1]! }];
    return [];
  }
}

/** The `msg` of a failure's JSON (`=> {"msg": "…"}`), or the text after the arrow. */
function failureMessage(rest: string): string | undefined {
  const arrow = rest.indexOf('=> ');
  if (arrow < 0) return undefined;
  const payload = rest.slice(arrow + 3).trim();
  try {
    const parsed = JSON.parse(payload) as { msg?: unknown; stderr?: unknown };
    const msg = typeof parsed.msg === 'string' && parsed.msg ? parsed.msg : typeof parsed.stderr === 'string' ? parsed.stderr : undefined;
    if (msg) return msg.split('\n')[0]!.slice(0, 300);
  } catch {
    // Not one line of JSON (multi-line results print the brace first): keep what there is.
  }
  return payload.slice(0, 300) || undefined;
}
