/**
 * Host tools the toolkit runs (ansible-playbook, promtool, openstack): from the host when
 * installed, otherwise from the `resops/toolbox` image, so Node and Docker are the only
 * prerequisites. The toolbox container sees the working directory at the same absolute path and
 * shares the host network (the lab's ports are published on 127.0.0.1).
 */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { TargetError } from '../targets/driver.js';
import { ensureDebianBase, findExecutable } from './base-image.js';
import { connectDocker, dockerCall } from './docker.js';
import { ensureImages, imageTag } from './images.js';
import { stderrProgress, type Progress } from './progress.js';

export const TOOLS = ['ansible', 'ansible-playbook', 'ansible-galaxy', 'ansible-inventory', 'promtool', 'openstack'] as const;
export type Tool = (typeof TOOLS)[number];

export interface ToolOptions {
  /** Working directory (default: the current one); mounted into the toolbox at the same path. */
  cwd?: string;
  env?: Record<string, string>;
  /** More host directories the tool needs (mounted read-only at the same path). */
  mounts?: string[];
  /** Use the toolbox even when the host has the tool (tests, reproducible runs). */
  forceToolbox?: boolean;
  progress?: Progress;
  docker?: Docker;
  /** Also copy output to this process's stdout/stderr as it comes. */
  echo?: boolean;
}

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
  where: 'host' | 'toolbox';
}

export async function runTool(tool: Tool, args: string[], options: ToolOptions = {}): Promise<ToolRun> {
  const cwd = options.cwd ?? process.cwd();
  const onHost = options.forceToolbox ? undefined : findExecutable(tool);
  if (onHost) return runOnHost(onHost, args, cwd, options);
  return runInToolbox(tool, args, cwd, options);
}

function runOnHost(path: string, args: string[], cwd: string, options: ToolOptions): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (options.echo) process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, where: 'host' }));
  });
}

async function runInToolbox(tool: Tool, args: string[], cwd: string, options: ToolOptions): Promise<ToolRun> {
  const progress = options.progress ?? stderrProgress();
  const docker = options.docker ?? (await connectDocker()).docker;
  await ensureDebianBase(docker, progress);
  await ensureImages(docker, progress, ['toolbox']);
  const user = typeof process.getuid === 'function' ? `${process.getuid()}:${process.getgid?.() ?? 0}` : undefined;
  const container = await dockerCall(`starting the toolbox for ${tool}`, () =>
    docker.createContainer({
      Image: imageTag('toolbox'),
      Cmd: [tool, ...args],
      WorkingDir: cwd,
      ...(user ? { User: user } : {}),
      Env: [`HOME=/tmp`, ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)],
      Labels: { 'resops.role': 'toolbox' },
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        AutoRemove: true,
        NetworkMode: 'host',
        Binds: [`${cwd}:${cwd}`, ...(options.mounts ?? []).map((dir) => `${dir}:${dir}:ro`)],
      },
    }),
  );
  const stream = await dockerCall('attaching to the toolbox', () => container.attach({ stream: true, stdout: true, stderr: true }));
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (options.echo) process.stdout.write(chunk);
  });
  err.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (options.echo) process.stderr.write(chunk);
  });
  docker.modem.demuxStream(stream, out, err);
  const ended = new Promise<void>((resolve) => stream.on('end', () => resolve()));
  // Waiting for `removed` (set up before start) cannot miss an exit, even with AutoRemove.
  const waiting = container.wait({ condition: 'removed' }) as Promise<{ StatusCode?: number }>;
  await dockerCall(`running ${tool} in the toolbox`, () => container.start());
  const result = await dockerCall(`waiting for ${tool} in the toolbox`, () => waiting);
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2000))]);
  if (result.StatusCode === undefined) throw new TargetError(`${tool} in the toolbox: no exit status`);
  return { code: result.StatusCode, stdout, stderr, where: 'toolbox' };
}
