import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Delivers a byte stream line by line (a trailing `\r` removed), the last partial line at the end,
 * decoding UTF-8 across chunk edges.
 * Docker's build and pull streams and the tools' output all arrive in chunks that cut lines
 * anywhere. Rejects with the stream's error; callers decide what an error means to them.
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    // A multi-byte character cut between two chunks is held back until its last byte arrives.
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer | string) => {
      buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, newline).replace(/\r$/, ''));
        buffer = buffer.slice(newline + 1);
      }
    });
    stream.on('end', () => {
      buffer += decoder.end();
      if (buffer) onLine(buffer.replace(/\r$/, ''));
      resolve();
    });
    stream.on('error', reject);
  });
}
