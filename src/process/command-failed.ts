/**
 * The one error a command run by the toolkit fails with, on the host or in a container: what
 * ran, how it ended and the last lines it printed (secrets masked), so the message alone tells
 * an instructor what went wrong.
 */
export type CommandEnd =
  | { kind: 'exit'; code: number }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'not-started'; reason: string };

/** Lines of output an error carries. */
export const TAIL_LINES = 15;

export class CommandFailed extends Error {
  /** Exit code; 124 after a timeout, 127 when it could not start, 128 + n after signal n. */
  readonly exitCode: number;

  constructor(
    /** The command line as run, secrets masked. */
    readonly command: string,
    readonly end: CommandEnd,
    /** The last lines of stdout and stderr, interleaved as they came, secrets masked. */
    readonly tail: readonly string[],
    /** Where it ran, when not on this host (a container's name). */
    readonly where?: string,
  ) {
    super(`${describe(command, end, where)}${tail.length ? `:\n${tail.map((line) => `    ${line}`).join('\n')}` : ''}`);
    this.name = 'CommandFailed';
    this.exitCode = exitCodeOf(end);
  }
}

function describe(command: string, end: CommandEnd, where: string | undefined): string {
  const place = where ? ` in ${where}` : '';
  switch (end.kind) {
    case 'exit':
      return `\`${command}\`${place} exited with ${end.code}`;
    case 'timeout':
      return `\`${command}\`${place} timed out after ${formatMs(end.afterMs)} and was stopped`;
    case 'signal':
      return `\`${command}\`${place} was killed by ${end.signal}`;
    case 'not-started':
      return `\`${command}\`${place} could not start: ${end.reason}`;
  }
}

/** The shell's conventions, so scripts and people read the codes as they always have. */
export function exitCodeOf(end: CommandEnd): number {
  switch (end.kind) {
    case 'exit':
      return end.code;
    case 'timeout':
      return 124;
    case 'not-started':
      return 127;
    case 'signal':
      return 128 + (SIGNAL_NUMBERS[end.signal] ?? 0);
  }
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

export function formatMs(ms: number): string {
  return ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000} min` : `${+(ms / 1000).toFixed(1)} s`;
}

/** Keeps the last `size` lines pushed into it. */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(private readonly size = TAIL_LINES) {}

  push(line: string): void {
    if (!line.trim()) return;
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  get(): string[] {
    return [...this.lines];
  }
}
