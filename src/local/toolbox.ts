/**
 * Host tools the toolkit runs (ansible-playbook, promtool, the openstack client…), through the
 * one runner: from the host when installed, else from the `resops/toolbox` image (ansible-core,
 * promtool, the OpenStack client), so Node and Docker stay the only prerequisites.
 *
 * The toolbox shares the host network: the local target publishes SSH on 127.0.0.1 and the
 * openstack target's floating IPs are routed like from the host, so one inventory works from
 * both places (joining the course networks instead would need container addresses, not the
 * published ports, in the inventory). Host networking is Linux-only; elsewhere install the tools
 * on the host. Every path the tool needs is mounted at the same absolute path, and the tool runs
 * as the calling user so what it writes (rendered files) belongs to that user.
 */
import { resolve } from 'node:path';
import type Docker from 'dockerode';
import { CommandFailed, exitCodeOf, type CommandEnd } from '../process/command-failed.js';
import { readDockerOutput } from '../process/docker-output.js';
import { commandLine, runCommand, type CommandResult, type OutputStream } from '../process/run-command.js';
import { TargetError } from '../targets/driver.js';
import { ensureDebianBase, findExecutable } from './base-image.js';
import { connectDocker, dockerCall } from './docker.js';
import { ensureImages, imageTag } from './images.js';
import { stderrProgress } from './progress.js';

export const TOOLS = ['ansible', 'ansible-playbook', 'ansible-galaxy', 'ansible-inventory', 'promtool', 'openstack', 'ansible-lint'] as const;
export type Tool = (typeof TOOLS)[number];

/** ansible-lint is not in the toolbox (ansible-core only): host only. */
const IN_TOOLBOX: readonly Tool[] = ['ansible', 'ansible-playbook', 'ansible-galaxy', 'ansible-inventory', 'promtool', 'openstack'];

/** A playbook run over a whole class is long; a tool that hangs still ends. */
export const TOOL_TIMEOUT_MS = 60 * 60_000;

export type ToolLocation = { where: 'host'; path: string } | { where: 'toolbox' } | { where: 'none'; reason: string };

export interface ToolOptions {
  /** Working directory; mounted into the toolbox at the same path. */
  cwd: string;
  /** Added to the environment. */
  env?: Record<string, string>;
  /** More host paths the tool reads or writes (directories or files), mounted at the same path. */
  mounts?: string[];
  /** Each line of stdout / stderr, as it comes. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Use the toolbox even when the host has the tool (tests, reproducible runs). */
  forceToolbox?: boolean;
  /** Progress of preparing the toolbox (image build), for the user. */
  onPrepare?: (message: string) => void;
  /** Default TOOL_TIMEOUT_MS. */
  timeoutMs?: number;
  secrets?: readonly string[];
  /** Docker to use for the toolbox (default: connect). */
  docker?: Docker;
}

export interface ToolRun extends CommandResult {
  where: 'host' | 'toolbox';
}

/** Where `tool` would run: the host's binary, the toolbox (Docker answers), or nowhere and why. */
export async function locateTool(tool: Tool, options: { forceToolbox?: boolean } = {}): Promise<ToolLocation> {
  // RESOPS_TOOLBOX=1: the toolbox's pinned versions even where the host has its own.
  const force = options.forceToolbox === true || (process.env.RESOPS_TOOLBOX === '1' && IN_TOOLBOX.includes(tool));
  const path = force ? undefined : findExecutable(tool);
  if (path) return { where: 'host', path };
  if (!IN_TOOLBOX.includes(tool)) return { where: 'none', reason: `${tool} is not installed (it is not in the toolbox image either)` };
  try {
    await connectDocker();
    return { where: 'toolbox' };
  } catch (error) {
    return { where: 'none', reason: `${tool} is not installed and Docker (for the toolbox image) is unusable: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Runs the tool to its end and resolves with its exit code (a tool's failure is its caller's to word). */
export async function runTool(tool: Tool, args: string[], options: ToolOptions): Promise<ToolRun> {
  const location = await locateTool(tool, options);
  if (location.where === 'none') throw new TargetError(location.reason, hintFor(tool));
  const timeoutMs = options.timeoutMs ?? TOOL_TIMEOUT_MS;
  if (location.where === 'host') {
    const result = await runCommand(location.path, args, {
      cwd: options.cwd,
      timeoutMs,
      check: false,
      ...(options.env ? { env: options.env } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    if (result.end.kind === 'not-started') throw new CommandFailed(result.command, result.end, []);
    return { ...result, where: 'host' };
  }
  return { ...(await runInToolbox(tool, args, { ...options, timeoutMs })), where: 'toolbox' };
}

function hintFor(tool: Tool): string {
  if (tool === 'promtool') return 'install it (`sudo apt-get install prometheus`, without starting the service), or start Docker so the toolbox image can be used';
  if (tool === 'ansible-lint') return 'install it: `sudo apt-get install ansible-lint`';
  if (tool === 'openstack') return 'install it (`sudo apt-get install python3-openstackclient`), or start Docker so the toolbox image can be used';
  return 'install Ansible (`sudo apt-get install ansible`), or start Docker so the toolbox image can be used';
}

/** The tool in a throwaway toolbox container: same lines, timeout and result as on the host. */
async function runInToolbox(tool: Tool, args: string[], options: ToolOptions & { timeoutMs: number }): Promise<CommandResult> {
  const docker = options.docker ?? (await connectDocker()).docker;
  const progress = stderrProgress(options.onPrepare ?? ((line) => process.stderr.write(`${line}\n`)));
  await ensureDebianBase(docker, progress);
  await ensureImages(docker, progress, ['toolbox']);
  const shown = commandLine(tool, args, options.secrets);
  const user = typeof process.getuid === 'function' ? `${process.getuid()}:${process.getgid?.() ?? 0}` : undefined;
  // Resolved first: `dir/` and `dir` are one mount point to Docker, which refuses duplicates.
  const mounts = [...new Set([options.cwd, ...(options.mounts ?? [])].map((path) => resolve(path)))];
  const container: Docker.Container = await dockerCall(`starting the toolbox for ${tool}`, () =>
    docker.createContainer({
      Image: imageTag('toolbox'),
      Cmd: [tool, ...args],
      WorkingDir: options.cwd,
      ...(user ? { User: user } : {}),
      Env: ['HOME=/tmp', ...Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`)],
      Labels: { 'resops.role': 'toolbox' },
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { AutoRemove: true, NetworkMode: 'host', Binds: mounts.map((path) => `${path}:${path}`) },
    }),
  );
  const stream = await dockerCall('attaching to the toolbox', () => container.attach({ stream: true, stdout: true, stderr: true }));
  const output = readDockerOutput(docker, stream, options);
  // Waiting for `removed` (asked before start) cannot miss the exit, even with AutoRemove.
  const waiting = container.wait({ condition: 'removed' }) as Promise<{ StatusCode?: number }>;
  await dockerCall(`running ${tool} in the toolbox`, () => container.start());
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolveTimeout) => (timer = setTimeout(() => resolveTimeout('timeout'), options.timeoutMs)));
  const exit = await Promise.race([dockerCall(`waiting for ${tool} in the toolbox`, () => waiting), timedOut]);
  clearTimeout(timer);
  let end: CommandEnd;
  if (exit === 'timeout') {
    // Killed, the container removes itself (AutoRemove).
    await container.kill().catch(() => undefined);
    end = { kind: 'timeout', afterMs: options.timeoutMs };
  } else {
    if (exit.StatusCode === undefined) throw new TargetError(`${tool} in the toolbox: no exit status`);
    end = { kind: 'exit', code: exit.StatusCode };
  }
  // The attach stream ends right after the exit; bounded in case it never does.
  await Promise.race([output.lines, new Promise((resolveWait) => setTimeout(resolveWait, 5000))]);
  return { command: shown, code: exitCodeOf(end), end, stdout: output.stdout(), stderr: output.stderr(), tail: output.tail() };
}
