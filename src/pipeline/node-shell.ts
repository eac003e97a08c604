/**
 * How the pipeline's engine reaches the machines of its Slurm cluster: a command on a node, and
 * the files of a directory on it. The local target's nodes are containers (Docker's exec and
 * archive APIs); the openstack target's are VMs reached over SSH as `configure` reaches them (the
 * same inventory: key, known hosts by server ID, workers through the monitoring host).
 */
import { connect, createServer } from 'node:net';
import type Docker from 'dockerode';
import type { InventoryHost } from '../ansible/inventory.js';
import { unpackTar } from '../local/tar.js';
import { runCommand, startCommand, type CommandResult, type OutputStream } from '../process/run-command.js';
import { runInContainer } from '../process/run-in-container.js';

export interface NodeCommandOptions {
  /** Given to the command only: never on a command line, never in a container's or VM's config. */
  env?: Record<string, string>;
  /** Default 30 s. */
  timeoutMs?: number;
  onLine?: (line: string, stream: OutputStream) => void;
}

export interface NodeShell {
  /** Runs `cmd` as root on `node`; resolves whatever the exit code. */
  run(node: string, cmd: readonly string[], options?: NodeCommandOptions): Promise<CommandResult>;
  /** The regular files under `root/path` on `node`, by their path relative to `root` (none when it is missing). */
  files(node: string, root: string, path: string): Promise<Map<string, Buffer>>;
  /** The command a person types to run `command` on `node` (for hints). */
  howTo(node: string, command: string): string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Nodes are containers of this machine's Docker, named by their container name. */
export function dockerNodeShell(docker: Docker): NodeShell {
  return {
    run: (node, cmd, options = {}) =>
      runInContainer(docker, docker.getContainer(node), node, cmd, {
        env: { USER: 'root', ...options.env },
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        check: false,
        ...(options.onLine ? { onLine: options.onLine } : {}),
        ...(options.env ? { secrets: secretValues(options.env) } : {}),
      }),
    async files(node, root, path) {
      const under = path.replace(/\/+$/, '');
      let archive: NodeJS.ReadableStream;
      try {
        archive = await docker.getContainer(node).getArchive({ path: `${root}/${under}` });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return new Map();
        throw error;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of archive as AsyncIterable<Buffer>) chunks.push(chunk);
      // Docker's archive names entries from the last component of the path.
      const parent = under.includes('/') ? under.slice(0, under.lastIndexOf('/') + 1) : '';
      return new Map([...unpackTar(Buffer.concat(chunks))].map(([name, body]) => [`${parent}${name}`, body]));
    },
    howTo: (node, command) => `docker exec ${node} ${command}`,
  };
}

/** POSIX shell quoting of one word. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits an ssh option string as the inventory writes it (`-o A=b -o ProxyCommand="ssh -W …"`)
 * into argv: whitespace separates words, double and single quotes group, as a shell would.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else word = (word ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word = word ?? '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + char;
  }
  if (quote) throw new Error(`unbalanced ${quote} in ssh options: ${text}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** ssh's argv (without the remote command) for an inventory host, non-interactive and bounded. */
export function sshArgs(host: InventoryHost): string[] {
  const vars = host.vars;
  const key = typeof vars.ansible_ssh_private_key_file === 'string' ? ['-i', vars.ansible_ssh_private_key_file] : [];
  const common = typeof vars.ansible_ssh_common_args === 'string' ? splitShellWords(vars.ansible_ssh_common_args) : [];
  return [
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=20',
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=4',
    '-p', String(vars.ansible_port ?? 22),
    ...key,
    ...common,
    `${String(vars.ansible_user)}@${String(vars.ansible_host)}`,
  ];
}

/**
 * Nodes are VMs, named by their inventory name. A command runs under `sudo` through a script on
 * ssh's stdin, so that the environment (the run's S3 keys) is in no process's argv on either side.
 */
export function sshNodeShell(hosts: InventoryHost[]): NodeShell {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const argsFor = (node: string) => {
    const host = byName.get(node);
    if (!host) throw new Error(`no host ${node} in the course's inventory`);
    return sshArgs(host);
  };
  const run = async (node: string, cmd: readonly string[], options: NodeCommandOptions = {}) => {
    const exports = Object.entries({ USER: 'root', ...options.env }).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    const script = [...exports, `exec ${cmd.map(shellQuote).join(' ')}`, ''].join('\n');
    return runCommand('ssh', [...argsFor(node), 'sudo -H bash -s'], {
      input: script,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      check: false,
      ...(options.onLine ? { onLine: options.onLine } : {}),
      ...(options.env ? { secrets: secretValues(options.env) } : {}),
    });
  };
  return {
    run,
    async files(node, root, path) {
      const under = path.replace(/\/+$/, '');
      // Base64: the runner reads output as text. The files read this way are small (logs, measures).
      const result = await run(node, ['sh', '-c', `cd ${shellQuote(root)} 2>/dev/null && [ -e ${shellQuote(under)} ] || exit 0; tar -cf - ${shellQuote(under)} | base64 -w0`], { timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(`reading ${root}/${under} on ${node}: ${result.stderr.trim().slice(-300)}`);
      if (!result.stdout.trim()) return new Map();
      return unpackTar(Buffer.from(result.stdout.trim(), 'base64'));
    },
    howTo: (node, command) => `ssh ${argsFor(node).filter((a) => !a.startsWith('ServerAlive')).map(shellQuote).join(' ')} sudo ${command}`,
  };
}

/** Values that look like secrets are masked in everything the runner shows. */
function secretValues(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([name]) => /SECRET|KEY|PASSWORD|TOKEN/i.test(name) && !/_ID$/.test(name))
    .map(([, value]) => value)
    .filter((value) => value.length >= 4);
}

export interface Tunnel {
  /** 127.0.0.1 port on this machine for each remote port asked for, in order. */
  localPorts: number[];
  close(): Promise<void>;
}

/** A free port on this machine's loopback (ssh binds it a moment later). */
function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 2000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Forwards 127.0.0.1 ports of this machine to `remotePorts` on the host's own loopback, over the
 * host's SSH (how the run reaches the monitoring host's Pushgateway and Gnocchi, which the
 * course's security groups do not open to the world). Bounded: up to `maxMs` for the forward to
 * accept connections, and for `lifetimeMs` at most.
 */
export async function sshTunnel(host: InventoryHost, remotePorts: number[], lifetimeMs: number, maxMs = 30_000): Promise<Tunnel> {
  const localPorts: number[] = [];
  for (let i = 0; i < remotePorts.length; i++) localPorts.push(await freeLocalPort());
  const forwards = remotePorts.flatMap((remote, i) => ['-L', `127.0.0.1:${localPorts[i]}:127.0.0.1:${remote}`]);
  const stop = new AbortController();
  const started = startCommand('ssh', ['-N', '-o', 'ExitOnForwardFailure=yes', ...forwards, ...sshArgs(host)], { timeoutMs: lifetimeMs, signal: stop.signal, check: false });
  started.stdout.resume();
  let ended: string | undefined;
  void started.done.then((result) => (ended = result.tail.join(' ') || `exit ${result.code}`));
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline && ended === undefined) {
    if (await accepts(localPorts[0]!)) {
      return {
        localPorts,
        close: async () => {
          stop.abort();
          await started.done.catch(() => undefined);
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  stop.abort();
  await started.done.catch(() => undefined);
  throw new Error(`ssh forward to ${host.name} did not open${ended ? `: ${ended}` : ` within ${maxMs / 1000}s`}`);
}
