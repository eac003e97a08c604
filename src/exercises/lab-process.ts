/**
 * How the lab runs a command for a check or a solution: bounded by a timeout (then killed, exit
 * code 124), output collected and, line by line, shown as progress.
 */
import { spawn } from 'node:child_process';
import { forEachLine } from '../local/stream-lines.js';
import type { CommandResult } from './lab.js';

export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

/** Spawns a command, bounded by a timeout (then killed, exit code 124), collecting its output. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs: number; env?: Record<string, string>; onLine?: (line: string) => void },
): Promise<CommandResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, options.timeoutMs);
    const lines = Promise.all([
      forEachLine(child.stdout, (line) => {
        stdout += `${line}\n`;
        options.onLine?.(line);
      }),
      forEachLine(child.stderr, (line) => {
        stderr += `${line}\n`;
        options.onLine?.(line);
      }),
    ]);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: 127, stdout, stderr: `${stderr}${command}: ${error.message}\n` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      void lines.finally(() => resolvePromise({ code: timedOut ? 124 : (code ?? 1), stdout, stderr: timedOut ? `${stderr}timed out after ${options.timeoutMs / 1000}s\n` : stderr }));
    });
  });
}
