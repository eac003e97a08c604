/**
 * The images of the local target, built from `containers/<name>/` with dockerode. Each image is
 * labelled with a hash of its build context (and of its parent's, for `FROM resops/...`), so `up`
 * rebuilds only what changed. Children of `resops/base` share its layer, which keeps the number
 * of distinct heavy layers (and the cold build time) small.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { TargetError } from '../targets/driver.js';
import { withBuildLock } from './build-lock.js';
import { dockerCall, isNotFound, LOCAL_LABELS, messageOf } from './docker.js';
import type { Progress } from './progress.js';
import { buildStep, followBuild } from './build-follower.js';

/** Every image `up` builds, in no particular order (parents are found from the Dockerfiles). */
export const IMAGE_NAMES = ['base', 'node', 'prometheus', 'pushgateway', 'alertmanager', 'postgres', 'gnocchi', 'toolbox'] as const;
/**
 * Images built the same way but only when asked for by name (`ensureImages(docker, progress,
 * ['server'])`), never by `up`: `server` is a rehearsal-cloud server that boots like a VM (#13).
 */
export const ON_DEMAND_IMAGE_NAMES = ['server'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number] | (typeof ON_DEMAND_IMAGE_NAMES)[number];

export const CONTAINERS_DIR = fileURLToPath(new URL('../../containers/', import.meta.url));

export function imageTag(name: ImageName): string {
  return `resops/${name}:latest`;
}

/** Two builds at a time: CI has 2 cores and a build is mostly dpkg on one of them. */
const BUILD_CONCURRENCY = 2;

export interface ImageContext {
  name: ImageName;
  dir: string;
  /** Files of the context, relative, `/`-separated, sorted. */
  files: string[];
  /** The resops image this one is built FROM, if any. */
  parent?: ImageName;
  /** Hash of the context alone (the label adds the parent's hash). */
  ownHash: string;
}

async function listFiles(dir: string, root = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, root)));
    else if (entry.isFile()) files.push(relative(root, path).split(sep).join('/'));
  }
  return files.sort();
}

/** Reads a build context: its files, its resops parent and the hash of its content. */
export async function readContext(name: ImageName, containersDir = CONTAINERS_DIR): Promise<ImageContext> {
  const dir = join(containersDir, name);
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch {
    throw new TargetError(`build context ${dir} is missing`, 'run resops from a complete checkout of resops-lab');
  }
  if (!files.includes('Dockerfile')) throw new TargetError(`${dir}/Dockerfile is missing`, 'run resops from a complete checkout of resops-lab');
  const hash = createHash('sha256');
  let parent: ImageName | undefined;
  for (const file of files) {
    const path = join(dir, file);
    const [content, info] = await Promise.all([readFile(path), stat(path)]);
    // The executable bit changes what the image does; timestamps and owners do not.
    hash.update(`${file}\0${info.mode & 0o111 ? 'x' : '-'}\0${content.length}\0`).update(content);
    if (file === 'Dockerfile') parent = resopsParent(content.toString('utf8'), dir);
  }
  return { name, dir, files, ownHash: hash.digest('hex'), ...(parent ? { parent } : {}) };
}

/** `FROM resops/base` → `base`; other FROMs (debian:bookworm-slim) are not built here. */
export function resopsParent(dockerfile: string, where = 'Dockerfile'): ImageName | undefined {
  for (const line of dockerfile.split('\n')) {
    const match = /^\s*FROM\s+resops\/([a-z0-9-]+)(?::latest)?(\s|$)/i.exec(line);
    if (!match) continue;
    const name = match[1]!.toLowerCase();
    if (!(IMAGE_NAMES as readonly string[]).includes(name)) {
      throw new TargetError(`${where}/Dockerfile: FROM resops/${name} is not one of the resops images`, `use one of: ${IMAGE_NAMES.join(', ')}`);
    }
    return name as ImageName;
  }
  return undefined;
}

/** Label value for each image: its own hash chained with its ancestors' (a parent rebuild cascades). */
export function chainedHashes(contexts: Map<ImageName, ImageContext>): Map<ImageName, string> {
  const result = new Map<ImageName, string>();
  const visit = (name: ImageName, seen: ImageName[]): string => {
    const known = result.get(name);
    if (known) return known;
    const context = contexts.get(name);
    if (!context) throw new Error(`no build context read for ${name}`);
    if (seen.includes(name)) throw new TargetError(`containers/: images build FROM each other in a cycle: ${[...seen, name].join(' → ')}`);
    const parentHash = context.parent ? visit(context.parent, [...seen, name]) : '';
    const hash = createHash('sha256').update(`${context.ownHash}\0${parentHash}`).digest('hex');
    result.set(name, hash);
    return hash;
  };
  for (const name of contexts.keys()) visit(name, []);
  return result;
}

export interface ImageState {
  name: ImageName;
  tag: string;
  id: string;
  built: boolean;
}

/** The image's id and context label, or undefined when there is no such image. */
export async function inspectImage(docker: Docker, tag: string): Promise<{ id: string; hash?: string } | undefined> {
  try {
    const info = await docker.getImage(tag).inspect();
    const hash = info.Config?.Labels?.[LOCAL_LABELS.contextHash];
    return { id: info.Id, ...(hash ? { hash } : {}) };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    return dockerCall(`inspecting image ${tag}`, () => Promise.reject(error));
  }
}

/** Whether each image is up to date, without building anything (for `plan`). */
export async function imagesToBuild(docker: Docker, names: readonly ImageName[] = IMAGE_NAMES): Promise<ImageName[]> {
  const contexts = await readContexts(names);
  const hashes = chainedHashes(contexts);
  const stale: ImageName[] = [];
  for (const name of contexts.keys()) {
    const current = await inspectImage(docker, imageTag(name));
    if (current?.hash !== hashes.get(name)) stale.push(name);
  }
  return stale;
}

/** Contexts of `names` and of every resops parent they build FROM. */
async function readContexts(names: readonly ImageName[]): Promise<Map<ImageName, ImageContext>> {
  const contexts = new Map<ImageName, ImageContext>();
  const pending = [...names];
  while (pending.length) {
    const name = pending.shift()!;
    if (contexts.has(name)) continue;
    const context = await readContext(name);
    contexts.set(name, context);
    if (context.parent) pending.push(context.parent);
  }
  return contexts;
}

/**
 * Builds the images whose context changed (parents first, two at a time) and returns every
 * image's id. Unchanged images are not touched.
 */
export async function ensureImages(docker: Docker, progress: Progress, names: readonly ImageName[] = IMAGE_NAMES): Promise<Map<ImageName, ImageState>> {
  // Fast path without the lock: nothing to build (every warm `up`).
  if (!(await imagesToBuild(docker, names)).length) return buildMissing(docker, progress, names);
  // Inside the lock, look again: whoever held it may have built what we need.
  return withBuildLock(progress, () => buildMissing(docker, progress, names));
}

async function buildMissing(docker: Docker, progress: Progress, names: readonly ImageName[]): Promise<Map<ImageName, ImageState>> {
  const contexts = await readContexts(names);
  const hashes = chainedHashes(contexts);
  const states = new Map<ImageName, Promise<ImageState>>();
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async (): Promise<() => void> => {
    if (running >= BUILD_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    return () => {
      running--;
      waiting.shift()?.();
    };
  };

  const ensure = (name: ImageName): Promise<ImageState> => {
    const known = states.get(name);
    if (known) return known;
    const promise = (async (): Promise<ImageState> => {
      const context = contexts.get(name)!;
      const parent = context.parent ? await ensure(context.parent) : undefined;
      const tag = imageTag(name);
      const hash = hashes.get(name)!;
      const current = await inspectImage(docker, tag);
      if (current && current.hash === hash && !parent?.built) {
        return { name, tag, id: current.id, built: false };
      }
      const release = await slot();
      try {
        const started = Date.now();
        progress.step(`image ${tag}: ${current ? 'build context changed, rebuilding' : 'building'}`);
        const id = await buildImage(docker, context, tag, hash, progress);
        progress.step(`image ${tag}: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        if (current && current.id !== id) {
          // The replaced image is now untagged; drop it unless a container still uses it.
          await docker.getImage(current.id).remove().catch(() => undefined);
        }
        return { name, tag, id, built: true };
      } finally {
        release();
      }
    })();
    states.set(name, promise);
    return promise;
  };

  const results = await Promise.allSettled([...contexts.keys()].map(ensure));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const built = new Map<ImageName, ImageState>();
  for (const result of results) if (result.status === 'fulfilled') built.set(result.value.name, result.value);
  return built;
}

/** Builds one context as `tag`, following the progress stream; a failed build says why. */
export async function buildImage(docker: Docker, context: ImageContext, tag: string, hash: string, progress: Progress, options: { noCache?: boolean } = {}): Promise<string> {
  const stream = await dockerCall(`building ${tag}`, () =>
    docker.buildImage(
      { context: context.dir, src: context.files },
      {
        t: tag,
        ...(options.noCache ? { nocache: true } : {}),
        labels: { [LOCAL_LABELS.contextHash]: hash, [LOCAL_LABELS.image]: context.name },
        rm: true,
        forcerm: true,
      },
    ),
  );
  const outcome = await followBuild(stream as Readable, (line) => {
    const step = buildStep(line);
    if (step) progress.detail(`building ${tag}: step ${step.step} ${truncate(step.instruction, 60)}`);
  }).catch((error: Error) => {
    throw new TargetError(`building ${tag}: ${messageOf(error)}`);
  });
  if (outcome.failure) {
    throw new TargetError(
      `building ${tag} failed: ${outcome.failure}\n  last build output:\n${outcome.tail.map((l) => `    ${l}`).join('\n')}`,
      `fix containers/${context.name}/ or the network access to deb.debian.org, then run \`up\` again (images already built are kept)`,
    );
  }
  const info = await dockerCall(`inspecting ${tag}`, () => docker.getImage(tag).inspect());
  return info.Id;
}

function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
