/**
 * Runs ansible-playbook, ansible and promtool with output streamed line by line: from the host
 * when installed, else from the `resops/toolbox` image (ansible-core + promtool), so Node and
 * Docker stay the only prerequisites.
 *
 * The toolbox shares the host network: the local target publishes SSH on 127.0.0.1 and the
 * openstack target's floating IPs are routed like from the host, so one inventory works from
 * both places (joining the course networks instead would need container addresses, not the
 * published ports, in the inventory). Host networking is Linux-only; elsewhere install Ansible on
 * the host. Every path the tool needs is mounted at the same absolute path, and the tool runs as
 * the calling user so what it writes (rendered files) belongs to that user.
 */
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { resolve } from 'node:path';
import type Docker from 'dockerode';
import { forEachLine } from '../local/stream-lines.js';
import { TargetError } from '../targets/driver.js';

export type StreamedTool = 'ansible-playbook' | 'ansible' | 'ansible-inventory' | 'promtool' | 'ansible-lint';

/** ansible-lint is not in the toolbox (ansible-core only): host only. */
const IN_TOOLBOX: readonly StreamedTool[] = ['ansible-playbook', 'ansible', 'ansible-inventory', 'promtool'];

export type ToolLocation = { where: 'host'; path: string } | { where: 'toolbox' } | { where: 'none'; reason: string };

export interface StreamOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Host paths the tool reads or writes (directories or files), mounted at the same path. */
  mounts?: string[];
  /** Each line of stdout / stderr, as it comes. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Use the toolbox even when the host has the tool. */
  forceToolbox?: boolean;
  /** Progress of preparing the toolbox (image build), for the user. */
  onPrepare?: (message: string) => void;
}

export interface StreamResult {
  code: number;
  stdout: string;
  stderr: string;
  where: 'host' | 'toolbox';
}

/** Where `tool` would run: the host's binary, the toolbox (Docker answers), or nowhere and why. */
export async function locateTool(tool: StreamedTool, options: { forceToolbox?: boolean } = {}): Promise<ToolLocation> {
  const { findExecutable } = await import('../local/base-image.js');
  // RESOPS_TOOLBOX=1: the toolbox's pinned versions even where the host has its own.
  const force = options.forceToolbox === true || (process.env.RESOPS_TOOLBOX === '1' && IN_TOOLBOX.includes(tool));
  const path = force ? undefined : findExecutable(tool);
  if (path) return { where: 'host', path };
  if (!IN_TOOLBOX.includes(tool)) return { where: 'none', reason: `${tool} is not installed (it is not in the toolbox image either)` };
  try {
    const { connectDocker } = await import('../local/docker.js');
    await connectDocker();
    return { where: 'toolbox' };
  } catch (error) {
    return { where: 'none', reason: `${tool} is not installed and Docker (for the toolbox image) is unusable: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export async function runStreaming(tool: StreamedTool, args: string[], options: StreamOptions): Promise<StreamResult> {
  const location = await locateTool(tool, options);
  if (location.where === 'none') {
    throw new TargetError(location.reason, hintFor(tool));
  }
  if (location.where === 'host') return runOnHost(location.path, args, options);
  return runInToolbox(tool, args, options);
}

function hintFor(tool: StreamedTool): string {
  if (tool === 'promtool') return 'install it (`sudo apt-get install prometheus`, without starting the service), or start Docker so the toolbox image can be used';
  if (tool === 'ansible-lint') return 'install it: `sudo apt-get install ansible-lint`';
  return 'install Ansible (`sudo apt-get install ansible`), or start Docker so the toolbox image can be used';
}

/** Lines of a tool's output; a broken pipe ends the output rather than the run. */
function lines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return forEachLine(stream, onLine).catch(() => undefined);
}

function runOnHost(path: string, args: string[], options: StreamOptions): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    const err: string[] = [];
    const done = Promise.all([
      lines(child.stdout, (line) => {
        out.push(line);
        options.onLine?.(line, 'stdout');
      }),
      lines(child.stderr, (line) => {
        err.push(line);
        options.onLine?.(line, 'stderr');
      }),
    ]);
    child.on('error', reject);
    child.on('close', (code) => {
      void done.then(() => resolve({ code: code ?? 1, stdout: out.join('\n'), stderr: err.join('\n'), where: 'host' }));
    });
  });
}

async function runInToolbox(tool: StreamedTool, args: string[], options: StreamOptions): Promise<StreamResult> {
  const [{ connectDocker, dockerCall }, { ensureDebianBase }, { ensureImages, imageTag }, { stderrProgress }] = await Promise.all([
    import('../local/docker.js'),
    import('../local/base-image.js'),
    import('../local/images.js'),
    import('../local/progress.js'),
  ]);
  const { docker } = await connectDocker();
  const progress = stderrProgress(options.onPrepare ?? ((line) => process.stderr.write(`${line}\n`)));
  await ensureDebianBase(docker, progress);
  await ensureImages(docker, progress, ['toolbox']);
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
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  const done = Promise.all([
    lines(stdout, (line) => {
      out.push(line);
      options.onLine?.(line, 'stdout');
    }),
    lines(stderr, (line) => {
      err.push(line);
      options.onLine?.(line, 'stderr');
    }),
  ]);
  docker.modem.demuxStream(stream, stdout, stderr);
  stream.on('end', () => {
    stdout.end();
    stderr.end();
  });
  // Waiting for `removed` (asked before start) cannot miss the exit, even with AutoRemove.
  const waiting = container.wait({ condition: 'removed' }) as Promise<{ StatusCode?: number }>;
  await dockerCall(`running ${tool} in the toolbox`, () => container.start());
  const result = await dockerCall(`waiting for ${tool} in the toolbox`, () => waiting);
  // The attach stream ends right after the exit; bounded in case it never does.
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (result.StatusCode === undefined) throw new TargetError(`${tool} in the toolbox: no exit status`);
  return { code: result.StatusCode, stdout: out.join('\n'), stderr: err.join('\n'), where: 'toolbox' };
}
