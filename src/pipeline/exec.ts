/**
 * Running one stage in a worker with `docker exec`, and telling a stage that failed (non-zero
 * exit, the run stops) from a worker that died under it (container gone or stopped: the job
 * goes to another worker).
 */
import type Docker from 'dockerode';
import { isNotFound, messageOf } from '../local/docker.js';
import { runInContainer } from '../process/run-in-container.js';
import type { CommandResult } from '../process/run-command.js';

/** The worker's container died (killed, OOM, removed) while running a job: retry elsewhere. */
export class WorkerLost extends Error {
  constructor(readonly worker: string, detail: string) {
    super(`worker ${worker} lost: ${detail}`);
    this.name = 'WorkerLost';
  }
}

/** The stage ran and failed: retrying it elsewhere would fail the same way. */
export class StageFailed extends Error {
  constructor(readonly stage: string, readonly worker: string, readonly exitCode: number, readonly stderr: string) {
    super(`stage ${stage} failed on ${worker} (exit ${exitCode})${stderr ? `:\n${stderr.trim().split('\n').slice(-8).map((l) => `    ${l}`).join('\n')}` : ''}`);
    this.name = 'StageFailed';
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
}

async function containerRunning(container: Docker.Container): Promise<boolean> {
  try {
    return (await container.inspect()).State.Running;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Exit codes an exec gets when its container is killed under it rather than from the stage itself. */
const KILLED_EXIT_CODES = new Set([126, 137]);

/**
 * Whether the container is still running after an exec ended. After an exit code that a kill
 * produces, the state is polled for up to 3 s (bounded: 15 × 200 ms) because Docker can report
 * the exec's end before the container's.
 */
async function staysRunning(container: Docker.Container, exitCode: number | null): Promise<boolean> {
  const suspicious = exitCode === null || KILLED_EXIT_CODES.has(exitCode);
  for (let attempt = 0; attempt < (suspicious ? 15 : 1); attempt++) {
    if (!(await containerRunning(container))) return false;
    if (suspicious) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

/** A stage longer than this is stuck (a hung NFS read, a dead Swift): it fails and says so. */
export const STAGE_TIMEOUT_MS = 60 * 60_000;

/** Runs `cmd` in the container; resolves with its output on exit 0. */
export async function execIn(docker: Docker, containerName: string, worker: string, stage: string, cmd: string[], env: Record<string, string>): Promise<ExecResult> {
  const container = docker.getContainer(containerName);
  let result: CommandResult;
  try {
    result = await runInContainer(docker, container, containerName, cmd, { env, timeoutMs: STAGE_TIMEOUT_MS, check: false });
  } catch (error) {
    if (!(await staysRunning(container, null).catch(() => false))) throw new WorkerLost(worker, messageOf(error));
    throw error;
  }
  const exitCode = result.end.kind === 'exit' ? result.end.code : result.end.kind === 'timeout' ? result.code : null;
  // A killed container ends the exec with 126 or 137 or no code at all, sometimes a moment before
  // Docker reports the container stopped; only a container that stays up has a verdict.
  if (!(await staysRunning(container, exitCode))) throw new WorkerLost(worker, `container ${containerName} stopped during ${stage}`);
  if (exitCode === 0) return { stdout: result.stdout, stderr: result.stderr };
  throw new StageFailed(stage, worker, exitCode ?? -1, result.end.kind === 'timeout' ? `timed out after ${STAGE_TIMEOUT_MS / 60_000} min` : result.stderr);
}

/** The last JSON line a stage printed (its measures). */
export function stageOutput(stage: string, stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`stage ${stage} printed no result line; output: ${stdout.slice(-300)}`);
  return JSON.parse(line) as Record<string, unknown>;
}
