/**
 * The one way the toolkit runs a program on this host: argv (no shell between us and the
 * program), a timeout on every call, output streamed line by line (UTF-8 decoded across chunk
 * edges) and collected, secrets masked in what people see, and one error type, CommandFailed.
 *
 * Built on execa rather than zx: zx runs every command through a shell (a quoting layer, a pid
 * that is the shell's and not terraform's, and bash required on PATH), which suits scripts but
 * not a runner whose callers signal and track the program itself; execa runs argv directly and
 * gives timeouts, cancellation, line transforms and exit details. execa 9 is the line that
 * supports Node 20.
 */
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { execa, type Options, type Result } from 'execa';
import { CommandFailed, LineTail, exitCodeOf, type CommandEnd } from './command-failed.js';
import { FileFollower } from './file-follower.js';
import { redact } from './redact.js';

export type OutputStream = 'stdout' | 'stderr';

export interface CommandOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Required: after it the command is stopped (with `stopSignal`) and reported as timed out. */
  timeoutMs: number;
  /** Each line of output as it comes, secrets masked. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Values masked in lines, errors and the command line shown (passwords, tokens). */
  secrets?: readonly string[];
  /** Reject with CommandFailed unless the exit code is 0 (default). False: resolve in every case. */
  check?: boolean;
  /** Aborting stops the command with `stopSignal`. */
  signal?: AbortSignal;
  /**
   * How a timeout or an abort stops it (default SIGTERM, then SIGKILL 5 s later). SIGINT is sent
   * alone and never followed by SIGKILL: terraform, told once, stops and saves its state.
   */
  stopSignal?: 'SIGTERM' | 'SIGINT';
  /**
   * Output goes to this file instead of a pipe, read back as it grows, and the program runs in a
   * process group of its own: a program whose pipe closes dies of SIGPIPE at its next line, so
   * with a file it outlives a killed resops and finishes its work. Lines are reported as stdout.
   */
  logFile?: string;
  /** Called once the program has started, with its pid. */
  onStart?: (pid: number) => void;
  /** Written to the program's stdin (else stdin is closed). */
  input?: string;
}

export interface CommandResult {
  /** The command line, secrets masked. */
  command: string;
  /** Exit code; 124 after a timeout, 127 when it could not start, 128 + n after signal n. */
  code: number;
  end: CommandEnd;
  stdout: string;
  stderr: string;
  /** The last lines of output, both streams as they came, secrets masked. */
  tail: string[];
}

export function commandLine(command: string, args: readonly string[], secrets: readonly string[] = []): string {
  const quoted = [command, ...args].map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`));
  return redact(quoted.join(' '), secrets);
}

export async function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const shown = commandLine(command, args, options.secrets);
  const tail = new LineTail();
  const followed: string[] = [];
  const emit = (line: string, stream: OutputStream) => {
    if (options.logFile) followed.push(line);
    const masked = redact(line, options.secrets);
    tail.push(masked);
    options.onLine?.(masked, stream);
  };
  // Lines keep their newline so the output comes back byte for byte (a VCF ends with one).
  const lines = (stream: OutputStream) => ({
    transform: function* (line: unknown) {
      emit(String(line).replace(/\r?\n$/, ''), stream);
      yield line;
    },
    preserveNewlines: true,
  });
  let follower: FileFollower | undefined;
  let logFd: number | undefined;
  if (options.logFile) logFd = openSync(options.logFile, 'w');
  let result: Result;
  try {
    const subprocess = execa(command, [...args], {
      ...common(options),
      stripFinalNewline: false,
      ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
      ...(logFd !== undefined
        ? { stdout: toChild(logFd), stderr: toChild(logFd), detached: true }
        : { stdout: lines('stdout'), stderr: lines('stderr') }),
    });
    if (logFd !== undefined) {
      closeSync(logFd);
      logFd = undefined;
      follower = new FileFollower(options.logFile!, (line) => emit(line, 'stdout'));
    }
    if (subprocess.pid !== undefined) options.onStart?.(subprocess.pid);
    result = await subprocess;
  } finally {
    if (logFd !== undefined) closeSync(logFd);
    follower?.finish();
  }
  const end = endOf(result, options.timeoutMs);
  const outcome: CommandResult = {
    command: shown,
    code: exitCodeOf(end),
    end,
    stdout: options.logFile ? followed.join('\n') : textOf(result.stdout),
    stderr: textOf(result.stderr),
    tail: tail.get(),
  };
  if (options.check !== false && outcome.code !== 0) throw new CommandFailed(shown, end, end.kind === 'not-started' ? [] : outcome.tail);
  return outcome;
}

/**
 * Starts a command whose stdout is consumed as bytes (an archive, a decompressed file) by the
 * caller; stderr is kept for the error. `done` settles once the program has ended and, unless
 * `check` is false, rejects with CommandFailed on a non-zero exit.
 */
export function startCommand(command: string, args: readonly string[], options: Omit<CommandOptions, 'onLine' | 'logFile'>): { stdout: Readable; done: Promise<CommandResult> } {
  const shown = commandLine(command, args, options.secrets);
  const subprocess = execa(command, [...args], {
    ...common(options),
    stdin: 'ignore',
    // The caller reads stdout; buffering it as well would hold a whole archive in memory.
    buffer: { stdout: false, stderr: true },
    encoding: 'buffer',
  });
  const done = (async (): Promise<CommandResult> => {
    const result = await subprocess;
    const end = endOf(result, options.timeoutMs);
    const stderr = Buffer.from(result.stderr as Uint8Array).toString('utf8');
    const tail = redact(stderr, options.secrets).split('\n').filter((line) => line.trim()).slice(-15);
    const outcome: CommandResult = { command: shown, code: exitCodeOf(end), end, stdout: '', stderr, tail };
    if (options.check !== false && outcome.code !== 0) throw new CommandFailed(shown, end, tail);
    return outcome;
  })();
  // Awaited by the caller after it has read stdout; until then a failure is not unhandled.
  done.catch(() => undefined);
  // Piped (the default), so present.
  return { stdout: subprocess.stdout!, done };
}

/** What every command gets: its place, a timeout, a way to stop it, and never a rejection from execa. */
function common(options: Omit<CommandOptions, 'onLine' | 'logFile'>): Options {
  return {
    cwd: options.cwd,
    env: options.env,
    reject: false,
    timeout: options.timeoutMs,
    cancelSignal: options.signal,
    killSignal: options.stopSignal ?? 'SIGTERM',
    forceKillAfterDelay: options.stopSignal === 'SIGINT' ? false : 5000,
  };
}

/**
 * A file descriptor handed to the child as its stdout or stderr, not piped through us. execa does
 * this for any descriptor (its types list only 3 to 9).
 */
function toChild(fd: number): Options['stdout'] {
  return fd as unknown as Options['stdout'];
}

function endOf(result: Result, timeoutMs: number): CommandEnd {
  if (result.timedOut) return { kind: 'timeout', afterMs: timeoutMs };
  if (result.exitCode !== undefined) return { kind: 'exit', code: result.exitCode };
  if (result.signal) return { kind: 'signal', signal: result.signal };
  const reason = (result.originalMessage ?? result.shortMessage ?? 'unknown error').replace(/^Command failed with \w+: /, '');
  return { kind: 'not-started', reason };
}

function textOf(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return output.join('\n');
  return '';
}
