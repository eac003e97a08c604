/** Docker's JSON progress streams, as every image build of the toolkit reads them. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BUILD_TAIL_LINES, buildStep, followBuild } from '../src/local/build-follower.js';

function stream(chunks: string[]): PassThrough {
  const s = new PassThrough();
  void (async () => {
    for (const chunk of chunks) {
      s.write(Buffer.from(chunk, 'utf8'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    s.end();
  })();
  return s;
}

const event = (e: Record<string, unknown>) => `${JSON.stringify(e)}\r\n`;

describe('followBuild', () => {
  it('hands over every output line, events cut anywhere, and keeps the last lines', async () => {
    const events = [event({ stream: 'Step 1/2 : FROM resops/base\n' }), event({ stream: ' ---> abc\n' }), event({ stream: 'Step 2/2 : RUN echo café\n' }), event({ stream: 'café\n' }), event({ status: 'Successfully built' })].join('');
    const cut = events.indexOf('é');
    const lines: string[] = [];
    const outcome = await followBuild(stream([events.slice(0, cut + 1), events.slice(cut + 1, cut + 7), events.slice(cut + 7)]), (l) => lines.push(l));
    expect(lines).toEqual(['Step 1/2 : FROM resops/base', ' ---> abc', 'Step 2/2 : RUN echo café', 'café', 'Successfully built']);
    expect(outcome).toEqual({ tail: lines });
    expect(lines.map(buildStep).filter(Boolean)).toEqual([{ step: '1/2', instruction: 'FROM resops/base' }, { step: '2/2', instruction: 'RUN echo café' }]);
  });

  it('a failed build resolves with its error (errorDetail first) and the last lines before it', async () => {
    const output = Array.from({ length: 40 }, (_, i) => event({ stream: `line ${i}\n` }));
    const outcome = await followBuild(stream([...output, event({ error: 'short', errorDetail: { message: 'The command returned a non-zero code: 100' } })]));
    expect(outcome.failure).toBe('The command returned a non-zero code: 100');
    expect(outcome.tail).toHaveLength(BUILD_TAIL_LINES);
    expect(outcome.tail.at(-1)).toBe('line 39');
  });

  it('a stream that breaks rejects: the daemon went away, which is not a build failure', async () => {
    const s = new PassThrough();
    const followed = followBuild(s);
    s.write(event({ stream: 'Step 1/1 : FROM x\n' }));
    s.destroy(new Error('socket hang up'));
    await expect(followed).rejects.toThrow('socket hang up');
  });
});
