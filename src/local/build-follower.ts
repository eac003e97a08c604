/**
 * The one follower of Docker's JSON progress streams (image builds, imports): one event per line,
 * `stream` / `status` text, `error` / `errorDetail` on failure. Every image the toolkit builds —
 * the local target's, the pipeline's, the base image and the rehearsal cloud's — goes through it,
 * so a failed build always ends with the same number of lines of context.
 */
import type { Readable } from 'node:stream';
import { forEachLine } from './stream-lines.js';

/** Lines of build output kept to explain a failure. */
export const BUILD_TAIL_LINES = 25;

export interface BuildOutcome {
  /** The error the stream carried; undefined when the build succeeded. */
  failure?: string;
  /** The last BUILD_TAIL_LINES lines of output. */
  tail: string[];
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Follows `stream` to its end: each non-empty output line goes to `onLine`. Rejects only when
 * the stream itself fails (the daemon went away); a failed build resolves with its `failure`.
 */
export async function followBuild(stream: Readable, onLine?: (line: string) => void): Promise<BuildOutcome> {
  const tail: string[] = [];
  let failure: string | undefined;
  await forEachLine(stream, (raw) => {
    if (!raw.trim()) return;
    let event: BuildEvent;
    try {
      event = JSON.parse(raw) as BuildEvent;
    } catch {
      return; // Docker sends JSON lines only here; anything else is not ours to read.
    }
    if (event.error || event.errorDetail) {
      failure = (event.errorDetail?.message ?? event.error ?? 'unknown error').trim();
      return;
    }
    for (const line of (event.stream ?? event.status ?? '').split('\n').map((l) => l.trimEnd())) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > BUILD_TAIL_LINES) tail.shift();
      onLine?.(line);
    }
  });
  return failure === undefined ? { tail } : { failure, tail };
}

/** `Step 3/9 : RUN apt-get …` → step and instruction, for progress lines. */
export function buildStep(line: string): { step: string; instruction: string } | undefined {
  const match = /^Step (\d+\/\d+) : (.*)$/.exec(line);
  return match ? { step: match[1]!, instruction: match[2]! } : undefined;
}
