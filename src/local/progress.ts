/**
 * Progress of a long local-target command: one line per step with the elapsed time since the
 * command started, on stderr so that `--json` output on stdout stays machine-readable.
 */
import { formatSeconds } from '../cli/table.js';

export interface Progress {
  /** A step finished or started: `[  3.2s] network t-alice: created`. */
  step(message: string): void;
  /** Detail of a running step (build progress); shown as it comes, one line each. */
  detail(message: string): void;
  /** Milliseconds since the command started. */
  elapsed(): number;
}

export function stderrProgress(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Progress {
  const started = Date.now();
  const stamp = () => `[${formatSeconds(Date.now() - started).padStart(6)}]`;
  return {
    step: (message) => write(`${stamp()} ${message}`),
    detail: (message) => write(`${stamp()}   ${message}`),
    elapsed: () => Date.now() - started,
  };
}

/** Collects lines instead of printing them (tests, quiet callers). */
export function collectingProgress(lines: string[] = []): Progress & { lines: string[] } {
  const progress = stderrProgress((line) => lines.push(line));
  return Object.assign(progress, { lines });
}
