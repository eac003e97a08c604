/**
 * Runs a playbook of playbooks/ against an inventory file, streaming what happens (per task and
 * host) and returning the PLAY RECAP per host.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from '../cli/table.js';
import { AnsibleOutputReader, parseRecap, type AnsibleEvent, type HostRecap } from './output.js';
import { runTool } from '../local/toolbox.js';

export const PLAYBOOKS_DIR = fileURLToPath(new URL('../../playbooks/', import.meta.url));
/** The repository root: roles read monitoring/ (rules, routing) next to playbooks/. */
const REPO_DIR = dirname(PLAYBOOKS_DIR.replace(/\/$/, ''));

export interface PlaybookOptions {
  inventoryFile: string;
  /** A playbook of playbooks/ (default site.yml), or an absolute path to any playbook. */
  playbook?: string;
  /** An Ansible host pattern (`learner_alice`). */
  limit?: string;
  /** Variables passed as `-e @file` through a private temp file (secrets never on the command line). */
  vars?: Record<string, unknown>;
  /** Host files the run reads (private keys, known_hosts' directory): mounted when in the toolbox. */
  mounts?: string[];
  forceToolbox?: boolean;
  onEvent?: (event: AnsibleEvent) => void;
  /** Every raw line too (logs, debugging). */
  onLine?: (line: string) => void;
  onPrepare?: (message: string) => void;
}

export interface FailedTask {
  host: string;
  task: string;
  status: 'failed' | 'unreachable';
  message?: string;
}

export interface PlaybookRun {
  code: number;
  recap: HostRecap[];
  failures: FailedTask[];
  where: 'host' | 'toolbox';
  elapsedMs: number;
  /** No failed or unreachable host, exit code 0, and a recap for every host that ran. */
  ok: boolean;
}

/**
 * The folders of the known_hosts files an inventory names (`-o UserKnownHostsFile=…`). In the
 * toolbox they must be mounted: without its file, ssh there could remember no host key, and every
 * run would trust whatever key answered, as if for the first time.
 */
export function knownHostsDirs(inventoryText: string): string[] {
  const dirs = [...inventoryText.matchAll(/UserKnownHostsFile=["']?([^\s"']+)/g)].map((m) => dirname(m[1]!)).filter((dir) => isAbsolute(dir));
  return [...new Set(dirs)];
}

export async function runPlaybook(options: PlaybookOptions): Promise<PlaybookRun> {
  const started = Date.now();
  const reader = new AnsibleOutputReader();
  const failures: FailedTask[] = [];
  const temp = await mkdtemp(join(tmpdir(), 'resops-ansible-'));
  try {
    // An absolute path is a playbook of someone else's (a learner's exercise), run the same way.
    const playbook = options.playbook && isAbsolute(options.playbook) ? options.playbook : join(PLAYBOOKS_DIR, options.playbook ?? 'site.yml');
    const args = [playbook, '-i', options.inventoryFile];
    if (options.limit) args.push('--limit', options.limit);
    if (options.vars && Object.keys(options.vars).length) {
      const file = join(temp, 'run-vars.json');
      await writeFile(file, JSON.stringify(options.vars), { mode: 0o600 });
      args.push('-e', `@${file}`);
    }
    // Made before mounting: Docker would make a missing bind source itself, owned by root.
    const knownHosts = knownHostsDirs(await readFile(options.inventoryFile, 'utf8').catch(() => ''));
    for (const dir of knownHosts) await mkdir(dir, { recursive: true, mode: 0o700 });
    const result = await runTool('ansible-playbook', args, {
      cwd: PLAYBOOKS_DIR,
      env: {
        ANSIBLE_CONFIG: join(PLAYBOOKS_DIR, 'ansible.cfg'),
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_STDOUT_CALLBACK: 'default',
        // Lines as they happen, not when Python's buffer fills.
        PYTHONUNBUFFERED: '1',
      },
      mounts: [REPO_DIR, temp, dirname(options.inventoryFile), dirname(playbook), ...knownHosts, ...(options.mounts ?? [])],
      ...(options.forceToolbox ? { forceToolbox: true } : {}),
      ...(options.onPrepare ? { onPrepare: options.onPrepare } : {}),
      onLine: (line) => {
        options.onLine?.(line);
        for (const event of reader.read(line)) {
          if (event.kind === 'result' && (event.status === 'failed' || event.status === 'unreachable')) {
            failures.push({ host: event.host, task: event.task, status: event.status, ...(event.message ? { message: event.message } : {}) });
          }
          options.onEvent?.(event);
        }
      },
    });
    const recap = parseRecap(result.stdout);
    const bad = recap.some((r) => r.failed > 0 || r.unreachable > 0) || failures.length > 0;
    return { code: result.code, recap, failures, where: result.where, elapsedMs: Date.now() - started, ok: result.code === 0 && !bad };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** The summary table: one row per host. */
export function formatRecap(recap: HostRecap[]): string[] {
  const rows = recap.map((r) => [
    r.host,
    String(r.ok),
    String(r.changed),
    String(r.failed),
    String(r.unreachable),
    String(r.skipped),
    r.unreachable > 0 ? 'UNREACHABLE' : r.failed > 0 ? 'FAILED' : 'ok',
  ]);
  return formatTable(['HOST', 'OK', 'CHANGED', 'FAILED', 'UNREACHABLE', 'SKIPPED', 'RESULT'], rows, ['left', 'right', 'right', 'right', 'right', 'right', 'left']);
}

/** One progress line per result worth seeing (ok, changed, failed, unreachable) and per play. */
export function formatEvent(event: AnsibleEvent): string | undefined {
  switch (event.kind) {
    case 'play':
      return `play: ${event.name}`;
    case 'result':
      if (event.status === 'skipping' || event.status === 'included') return undefined;
    {
      const word = event.status === 'failed' || event.status === 'unreachable' ? event.status.toUpperCase() : event.status;
      const item = event.item !== undefined ? ` (${event.item.length > 60 ? `${event.item.slice(0, 57)}...` : event.item})` : '';
      return `  ${word.padEnd(11)} ${event.host}  ${event.task}${item}${event.message ? `: ${event.message}` : ''}`;
    }
    case 'warning':
      return `  warning: ${event.message}`;
    default:
      return undefined;
  }
}
