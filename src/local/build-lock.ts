/**
 * One image build at a time per machine: two `up`s (or test files, or a test and a user) that
 * find the same image stale would otherwise build it twice and race to tag it. A lock file in
 * the temp directory holds the builder's pid; a lock whose process is gone is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetError } from '../targets/driver.js';
import type { Progress } from './progress.js';

const LOCK = join(tmpdir(), 'resops-image-build.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `work` holding the lock; waits (bounded) while another live process holds it. */
export async function withBuildLock<T>(progress: Progress, work: () => Promise<T>, waitMs = 45 * 60_000, path = LOCK): Promise<T> {
  const until = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (!holder || !alive(holder)) {
        // Left by a process that died (or is being written right now: the next round sees it).
        if (holder) await rm(path, { force: true });
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (Date.now() > until) {
        throw new TargetError(`another resops process (pid ${holder}) has been building images for too long`, `wait for it to finish, or stop it; the lock is ${path}`);
      }
      if (!told) progress.step(`waiting for another resops process (pid ${holder}) that is building images`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
