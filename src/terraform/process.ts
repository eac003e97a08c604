/** Runs one terraform command in one stack directory, streaming or capturing its output. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

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
    const child = spawn(call.binary, call.args, {
      cwd: call.cwd,
      env: { ...process.env, ...TERRAFORM_ENV, ...call.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = { stdout: [] as string[], stderr: [] as string[] };
    let startError: string | undefined;
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: child[stream], crlfDelay: Infinity });
      lines.on('line', (line) => {
        chunks[stream].push(line);
        call.onLine?.(line, stream);
      });
    }
    child.on('error', (error) => {
      startError = error.message;
    });
    child.on('close', (code, signal) => {
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
