/** The machine-wide image build lock: serializes builders, survives a builder that died. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withBuildLock } from '../src/local/build-lock.js';
import { collectingProgress } from '../src/local/progress.js';

const dir = mkdtempSync(join(tmpdir(), 'resops-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('image build lock', () => {
  it('lets one holder in at a time, and says that it waits', async () => {
    const lock = join(dir, 'a.lock');
    const events: string[] = [];
    const progress = collectingProgress();
    const holder = (name: string) =>
      withBuildLock(progress, async () => {
        events.push(`${name} in`);
        await sleep(300);
        events.push(`${name} out`);
      }, 10_000, lock);
    await Promise.all([holder('a'), sleep(50).then(() => holder('b'))]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const lock = join(dir, 'b.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(lock, dead);
    const started = Date.now();
    expect(await withBuildLock(collectingProgress(), async () => 'built', 5_000, lock)).toBe('built');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('gives up, with a message, when a live holder keeps it too long', async () => {
    const lock = join(dir, 'c.lock');
    writeFileSync(lock, String(process.pid));
    await expect(withBuildLock(collectingProgress(), async () => 'never', 1_500, lock)).rejects.toThrow(/another resops process \(pid \d+\) has been building images/);
    rmSync(lock);
  });
});
