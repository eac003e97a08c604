/** Runs one terraform command in one stack directory, streaming or capturing its output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';

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
}

export interface TerraformResult {
  /** Exit code; -1 when the process could not start or was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  /** Why the process could not start or how it ended abnormally. */
  error?: string;
}

export function runTerraform(call: TerraformCall): Promise<TerraformResult> {
  return new Promise((resolvePromise) => {
    const chunks = { stdout: [] as string[], stderr: [] as string[] };
    const emit = (line: string, stream: 'stdout' | 'stderr') => {
      chunks[stream].push(line);
      call.onLine?.(line, stream);
    };
    const env = { ...process.env, ...TERRAFORM_ENV, ...call.env };
    let child: ChildProcess;
    let follower: FileFollower | undefined;
    if (call.logFile) {
      const fd = openSync(call.logFile, 'w');
      try {
        child = spawn(call.binary, call.args, { cwd: call.cwd, env, stdio: ['ignore', fd, fd], detached: true });
      } finally {
        closeSync(fd);
      }
      follower = new FileFollower(call.logFile, (line) => emit(line, 'stdout'));
    } else {
      child = spawn(call.binary, call.args, { cwd: call.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of ['stdout', 'stderr'] as const) {
        const lines = createInterface({ input: child[stream]!, crlfDelay: Infinity });
        lines.on('line', (line) => emit(line, stream));
      }
    }
    if (child.pid !== undefined) call.onStart?.(child.pid);
    const interrupt = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    };
    call.signal?.addEventListener('abort', interrupt, { once: true });
    if (call.signal?.aborted) interrupt();

    let startError: string | undefined;
    child.on('error', (error) => {
      startError = error.message;
    });
    child.on('close', (code, signal) => {
      call.signal?.removeEventListener('abort', interrupt);
      follower?.finish();
      const result: TerraformResult = {
        code: code ?? -1,
        stdout: chunks.stdout.join('\n'),
        stderr: chunks.stderr.join('\n'),
      };
      if (startError) result.error = startError;
      else if (signal) result.error = `killed by ${signal}`;
      resolvePromise(result);
    });
  });
}

/** Reads a file as another process appends to it, line by line, decoding UTF-8 across reads. */
class FileFollower {
  private readonly fd: number;
  private readonly decoder = new StringDecoder('utf8');
  private readonly buffer = Buffer.alloc(64 * 1024);
  private position = 0;
  private partial = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    file: string,
    private readonly onLine: (line: string) => void,
    everyMs = 200,
  ) {
    this.fd = openSync(file, 'r');
    this.timer = setInterval(() => this.drain(), everyMs);
  }

  private drain(): void {
    for (;;) {
      const read = readSync(this.fd, this.buffer, 0, this.buffer.length, this.position);
      if (read === 0) return;
      this.position += read;
      this.push(this.decoder.write(this.buffer.subarray(0, read)));
    }
  }

  private push(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
  }

  /** Reads what is left and reports a last line without its newline. */
  finish(): void {
    clearInterval(this.timer);
    this.drain();
    this.push(this.decoder.end());
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
    closeSync(this.fd);
  }
}
