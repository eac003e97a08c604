/**
 * A Docker attach or exec stream (stdout and stderr multiplexed) read the runner's way: lines as
 * they come, UTF-8 whole across chunk edges, secrets masked in what people see, both streams kept.
 */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { forEachLine } from '../local/stream-lines.js';
import { LineTail } from './command-failed.js';
import { redact } from './redact.js';
import type { OutputStream } from './run-command.js';

export interface DockerOutput {
  /** Settles once both streams have ended and every line was delivered. */
  lines: Promise<void>;
  /** Ends both streams (the command outlived its timeout). */
  close(): void;
  stdout(): string;
  stderr(): string;
  tail(): string[];
}

export function readDockerOutput(docker: Docker, stream: NodeJS.ReadableStream, options: { onLine?: (line: string, stream: OutputStream) => void; secrets?: readonly string[] }): DockerOutput {
  const tail = new LineTail();
  const out = { stdout: new PassThrough(), stderr: new PassThrough() };
  // Kept as written as well as by line: a stage's stdout is a file (a VCF ends with its newline).
  const raw: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  for (const name of ['stdout', 'stderr'] as const) out[name].on('data', (chunk: Buffer) => raw[name].push(chunk));
  const lines = Promise.all(
    (['stdout', 'stderr'] as const).map((name) =>
      forEachLine(out[name], (line) => {
        const masked = redact(line, options.secrets);
        tail.push(masked);
        options.onLine?.(masked, name);
      }).catch(() => undefined),
    ),
  ).then(() => undefined);
  const close = () => {
    out.stdout.end();
    out.stderr.end();
  };
  docker.modem.demuxStream(stream, out.stdout, out.stderr);
  stream.on('end', close);
  stream.on('close', close);
  stream.on('error', close);
  return { lines, close, stdout: () => Buffer.concat(raw.stdout).toString('utf8'), stderr: () => Buffer.concat(raw.stderr).toString('utf8'), tail: () => tail.get() };
}
