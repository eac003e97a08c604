import type { Readable } from 'node:stream';

/**
 * Delivers a byte stream line by line (a trailing `\r` removed), the last partial line at the end.
 * Docker's build and pull streams and the tools' output all arrive in chunks that cut lines
 * anywhere. Rejects with the stream's error; callers decide what an error means to them.
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, newline).replace(/\r$/, ''));
        buffer = buffer.slice(newline + 1);
      }
    });
    stream.on('end', () => {
      if (buffer) onLine(buffer);
      resolve();
    });
    stream.on('error', reject);
  });
}
