/**
 * Which terraform process holds a stack directory. Terraform runs detached from resops (see
 * TerraformCall.logFile), so a resops killed mid-apply leaves it running until it has finished and
 * saved its state; the next run must wait for it rather than race it for the state.
 */
import { readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const HOLDER_FILE = '.resops-terraform.json';

interface Holder {
  pid: number;
  step: string;
  since: string;
}

export function holdStack(dir: string, pid: number, step: string): void {
  const holder: Holder = { pid, step, since: new Date().toISOString() };
  writeFileSync(join(dir, HOLDER_FILE), `${JSON.stringify(holder)}\n`);
}

export function releaseStack(dir: string): void {
  rmSync(join(dir, HOLDER_FILE), { force: true });
}

function readHolder(dir: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(join(dir, HOLDER_FILE), 'utf8')) as Partial<Holder>;
    return typeof holder.pid === 'number' ? { pid: holder.pid, step: String(holder.step), since: String(holder.since) } : undefined;
  } catch {
    return undefined;
  }
}

/** The recorded process still runs in that directory (a recycled pid elsewhere does not count). */
export function stillRunning(pid: number, dir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return resolve(readlinkSync(`/proc/${pid}/cwd`)) === resolve(dir);
  } catch {
    // No /proc (not Linux): a live pid is taken at its word.
    return true;
  }
}

/**
 * Waits (bounded) for a terraform an earlier run left in `dir`. Returns undefined when the stack is
 * free, or why it is still held once `waitMs` has passed.
 */
export async function waitForEarlierRun(
  dir: string,
  options: { log: (line: string) => void; waitMs: number; pollMs?: number },
): Promise<string | undefined> {
  const holder = readHolder(dir);
  if (!holder) return undefined;
  if (!stillRunning(holder.pid, dir)) {
    releaseStack(dir);
    return undefined;
  }
  const started = Date.now();
  let told = 0;
  for (;;) {
    if (!stillRunning(holder.pid, dir)) {
      options.log(`terraform ${holder.step} of an earlier run (pid ${holder.pid}) has finished; going on`);
      releaseStack(dir);
      return undefined;
    }
    const waited = Date.now() - started;
    if (waited >= options.waitMs) {
      return `terraform ${holder.step} of an earlier run (pid ${holder.pid}, since ${holder.since}) still runs in ${dir}; wait for it, or stop it with \`kill -INT ${holder.pid}\``;
    }
    if (waited >= told) {
      options.log(`waiting for terraform ${holder.step} of an earlier, interrupted run (pid ${holder.pid}, since ${holder.since}) to finish and save its state`);
      told += 15_000;
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
}
