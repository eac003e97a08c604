/**
 * `debian:bookworm-slim`, the one image every resops image starts FROM. Where Docker Hub is
 * reachable it is pulled; where it is not (air-gapped CI, this machine), it is built from Debian's
 * archive with debootstrap and `docker import`, so the Dockerfiles stay unchanged.
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { CommandFailed } from '../process/command-failed.js';
import { runCommand, startCommand } from '../process/run-command.js';
import { TargetError } from '../targets/driver.js';
import { followBuild } from './build-follower.js';
import { dockerCall, isNotFound, messageOf } from './docker.js';
import type { Progress } from './progress.js';

export const DEBIAN_BASE = 'debian:bookworm-slim';
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
/** debootstrap takes ≈35 s here; a mirror that stalls still ends. */
const DEBOOTSTRAP_TIMEOUT_MS = 20 * 60_000;

export type BaseImageSource = 'present' | 'pulled' | 'debootstrap';

export interface BaseImageOptions {
  /** Image to ensure (tests use another tag so they never replace the real one). */
  tag?: string;
  /** Give up pulling after this long (Docker Hub unreachable often means a slow failure). */
  pullTimeoutMs?: number;
  /** Skip the pull attempt (known air-gapped). */
  skipPull?: boolean;
  mirror?: string;
}

export async function ensureDebianBase(docker: Docker, progress: Progress, options: BaseImageOptions = {}): Promise<BaseImageSource> {
  const tag = options.tag ?? DEBIAN_BASE;
  if (await imageExists(docker, tag)) return 'present';
  if (!options.skipPull) {
    progress.step(`image ${tag}: not present, pulling`);
    const pulled = await pull(docker, tag, options.pullTimeoutMs ?? 60_000);
    if (pulled === true) return 'pulled';
    progress.step(`image ${tag}: cannot be pulled (${pulled}); building it with debootstrap + docker import (a few minutes)`);
  } else {
    progress.step(`image ${tag}: not present; building it with debootstrap + docker import (a few minutes)`);
  }
  await debootstrapImport(docker, tag, options.mirror ?? process.env.RESOPS_DEBIAN_MIRROR ?? DEFAULT_MIRROR, progress);
  return 'debootstrap';
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    return dockerCall(`inspecting ${tag}`, () => Promise.reject(error));
  }
}

/** true, or why the pull failed. */
async function pull(docker: Docker, tag: string, timeoutMs: number): Promise<true | string> {
  let stream: Readable | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const attempt = (async () => {
      stream = (await docker.pull(tag)) as Readable;
      return await followJsonStream(stream);
    })();
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer in ${Math.round(timeoutMs / 1000)}s`), timeoutMs);
    });
    const result = await Promise.race([attempt, timeout]);
    if (result !== true) stream?.destroy();
    return result;
  } catch (error) {
    return messageOf(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Follows a Docker JSON progress stream; true at the end, or the error message it carried. */
function followJsonStream(stream: Readable, onLine?: (line: string) => void): Promise<true | string> {
  return followBuild(stream, onLine).then(
    (outcome) => outcome.failure ?? true,
    (error: Error) => error.message,
  );
}

/** Full path of an executable on PATH (plus the sbin directories a non-root PATH lacks). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function debootstrapImport(docker: Docker, tag: string, mirror: string, progress: Progress): Promise<void> {
  const manual = `sudo debootstrap --variant=minbase bookworm ROOT ${mirror} && sudo tar -C ROOT -c . | docker import - ${tag}`;
  const debootstrap = findExecutable('debootstrap');
  if (!debootstrap) {
    throw new TargetError(
      `${tag} is not present, cannot be pulled, and debootstrap is not installed to build it`,
      `install it (\`sudo apt-get install debootstrap\`) and run the command again, or make Docker Hub reachable`,
    );
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new TargetError(
      `${tag} is not present and cannot be pulled; building it with debootstrap needs root`,
      `run once: ${manual}`,
    );
  }
  const root = await mkdtemp(join(tmpdir(), 'resops-debootstrap-'));
  try {
    const started = Date.now();
    await runCommand(debootstrap, ['--variant=minbase', 'bookworm', root, mirror], {
      timeoutMs: DEBOOTSTRAP_TIMEOUT_MS,
      onLine: (line) => {
        // Phase lines only; debootstrap also prints one line per package.
        if (/^I: (Resolving|Retrieving Release|Installing core|Unpacking the base|Configuring the base|Base system)/.test(line)) {
          progress.detail(`debootstrap: ${line.slice(3)}`);
        }
      },
    }).catch((error: unknown) => {
      throw new TargetError(`debootstrap of ${tag} failed: ${error instanceof CommandFailed ? error.message : String(error)}`, `check access to ${mirror}, or run by hand: ${manual}`);
    });
    progress.detail(`debootstrap: done in ${((Date.now() - started) / 1000).toFixed(0)}s, importing into Docker`);
    const [repo, version] = tag.split(':') as [string, string | undefined];
    const tar = startCommand('tar', ['-C', root, '-c', '.'], { timeoutMs: DEBOOTSTRAP_TIMEOUT_MS, check: false });
    const tarFailed = tar.done.then((done) => (done.code === 0 ? undefined : `tar exited with ${done.code}: ${done.tail.join(' | ')}`));
    const stream = (await dockerCall(`importing ${tag}`, () =>
      docker.importImage(tar.stdout, { repo, tag: version ?? 'latest', changes: ['CMD ["bash"]'] } as object),
    )) as Readable;
    const result = await followJsonStream(stream);
    const tarResult = await tarFailed;
    if (result !== true || tarResult) {
      throw new TargetError(`importing ${tag} failed: ${result === true ? tarResult : result}`, `run by hand: ${manual}`);
    }
    progress.step(`image ${tag}: built with debootstrap and imported`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

