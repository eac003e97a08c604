/** Runs one terraform command in one stack directory, streaming or capturing its output. */
import { runCommand } from '../process/run-command.js';

/** Set for every terraform run: no phoning home, no prompts, output meant for automation. */
export const TERRAFORM_ENV: Readonly<Record<string, string>> = {
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
};

export interface TerraformCall {
  binary: string;
  cwd: string;
  args: string[];
  /** Added to process.env and TERRAFORM_ENV. */
  env?: Record<string, string>;
  /** Called with every output line (stdout and stderr) as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Run terraform in a process group of its own with its output going to this file (read back
   * as it grows) instead of a pipe. A terraform whose pipe closes dies of SIGPIPE at its next
   * line, mid-apply, before it records what it created: with a file it outlives a killed resops,
   * finishes its step and saves its state. Lines are reported as 'stdout'.
   */
  logFile?: string;
  /** Aborting sends terraform one SIGINT: it stops starting resources, finishes and saves state. */
  signal?: AbortSignal;
  /** Called once terraform has started, with its pid (to record who holds a stack). */
  onStart?: (pid: number) => void;
  /** Default TERRAFORM_TIMEOUT_MS. */
  timeoutMs?: number;
}

export interface TerraformResult {
  /** Exit code; -1 when the process could not start or was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  /** Why the process could not start or how it ended abnormally. */
  error?: string;
}

/**
 * Bounds every terraform call. An apply of a whole class on a slow cloud takes tens of minutes;
 * after this terraform gets one SIGINT, stops starting resources and saves its state.
 */
export const TERRAFORM_TIMEOUT_MS = 120 * 60_000;

export async function runTerraform(call: TerraformCall): Promise<TerraformResult> {
  const result = await runCommand(call.binary, call.args, {
    cwd: call.cwd,
    env: { ...TERRAFORM_ENV, ...call.env },
    timeoutMs: call.timeoutMs ?? TERRAFORM_TIMEOUT_MS,
    check: false,
    // One SIGINT and never a SIGKILL: terraform stops gracefully and saves what it made.
    stopSignal: 'SIGINT',
    ...(call.onLine ? { onLine: call.onLine } : {}),
    ...(call.logFile ? { logFile: call.logFile } : {}),
    ...(call.signal ? { signal: call.signal } : {}),
    ...(call.onStart ? { onStart: call.onStart } : {}),
  });
  const outcome: TerraformResult = { code: result.end.kind === 'exit' ? result.end.code : -1, stdout: result.stdout, stderr: result.stderr };
  if (result.end.kind === 'not-started') outcome.error = result.end.reason;
  else if (result.end.kind === 'signal') outcome.error = `killed by ${result.end.signal}`;
  else if (result.end.kind === 'timeout') outcome.error = `timed out after ${Math.round(result.end.afterMs / 60_000)} min and was interrupted`;
  return outcome;
}
