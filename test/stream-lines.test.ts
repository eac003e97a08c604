/** Output read line by line as processes write it: chunks cut lines, and characters, anywhere. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forEachLine } from '../src/local/stream-lines.js';

async function linesOf(chunks: Buffer[]): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  const done = forEachLine(stream, (line) => lines.push(line));
  for (const chunk of chunks) {
    stream.write(chunk);
    // Each write its own 'data' event, as separate reads from a pipe arrive.
    await new Promise((resolve) => setImmediate(resolve));
  }
  stream.end();
  await done;
  return lines;
}

describe('forEachLine', () => {
  it('decodes a multi-byte character split across two writes', async () => {
    const bytes = Buffer.from('probe: café ✓\nnext\n', 'utf8');
    const cut = bytes.indexOf(0xa9); // the second byte of é
    expect(await linesOf([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['probe: café ✓', 'next']);
    const check = bytes.indexOf(Buffer.from('✓')) + 1; // inside the three bytes of ✓
    expect(await linesOf([bytes.subarray(0, check), bytes.subarray(check)])).toEqual(['probe: café ✓', 'next']);
  });

  it('joins lines cut at chunk edges, strips CR, and gives the unterminated last line at the end', async () => {
    expect(await linesOf([Buffer.from('ab'), Buffer.from('c\r\nde'), Buffer.from('f\r')])).toEqual(['abc', 'def']);
  });
});
