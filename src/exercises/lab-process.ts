/**
 * How the lab runs a command for a check or a solution: the toolkit's one runner, resolving in
 * every case so a check can word what went wrong (exit code 124 after the timeout, 127 when the
 * program is missing), each line shown as progress.
 */
import { formatMs } from '../process/command-failed.js';
import { runCommand } from '../process/run-command.js';
import type { CommandResult } from './lab.js';

export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

export async function run(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs: number; env?: Record<string, string>; onLine?: (line: string) => void },
): Promise<CommandResult> {
  const result = await runCommand(command, args, {
    timeoutMs: options.timeoutMs,
    check: false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  // The reason a command did not run to its end is what a check shows from stderr.
  const why = result.end.kind === 'timeout' ? `timed out after ${formatMs(result.end.afterMs)}\n` : result.end.kind === 'not-started' ? `${command}: ${result.end.reason}\n` : '';
  return { code: result.code, stdout: result.stdout, stderr: `${result.stderr}${why}` };
}
