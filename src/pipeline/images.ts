/**
 * The pipeline's images, built with dockerode from `containers/pipeline/` and `containers/swift/`.
 * They are not in the local target's IMAGE_NAMES (that list is `up`'s), so they are built here,
 * with the same rule: an image is labelled with a hash of its build context and rebuilt only when
 * that hash (or its parent's image id) changes.
 *
 *   resops/pipeline-cloud  tools + stage script, no reference ("cloud-native": fetched at run time)
 *   resops/pipeline        FROM pipeline-cloud + the lambda-phage reference, indexed at build time
 *   resops/swift           Swift proxy/account/container/object + tempauth in one container
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { TargetError } from '../targets/driver.js';
import { buildStep, followBuild } from '../local/build-follower.js';
import { dockerCall, LOCAL_LABELS } from '../local/docker.js';
import { CONTAINERS_DIR, inspectImage } from '../local/images.js';
import type { PipelineStorage } from '../course/model.js';
import type { Progress } from '../local/progress.js';
import type { RunImage } from './model.js';

export type PipelineImage = 'pipeline-cloud' | 'pipeline' | 'swift';

interface ImageRecipe {
  dir: string;
  dockerfile: string;
  /** Built first; its id is part of this image's hash. */
  parent?: PipelineImage | 'base';
}

const RECIPES: Record<PipelineImage, ImageRecipe> = {
  'pipeline-cloud': { dir: 'pipeline', dockerfile: 'Dockerfile.cloud', parent: 'base' },
  pipeline: { dir: 'pipeline', dockerfile: 'Dockerfile', parent: 'pipeline-cloud' },
  swift: { dir: 'swift', dockerfile: 'Dockerfile', parent: 'base' },
};

export const pipelineImageTag = (name: PipelineImage): string => `resops/${name}:latest`;

async function listFiles(dir: string, root = dir): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, root)));
    else if (entry.isFile()) files.push(relative(root, path).split(sep).join('/'));
  }
  return files.sort();
}

async function contextHash(dir: string, files: string[], dockerfile: string, parentId: string): Promise<string> {
  const hash = createHash('sha256').update(`${dockerfile}\0${parentId}\0`);
  for (const file of files) hash.update(`${file}\0`).update(await readFile(join(dir, file)));
  return hash.digest('hex');
}

/** Builds `name` (and its parents) when missing or changed; returns the image id. */
export async function ensurePipelineImage(docker: Docker, name: PipelineImage, progress: Progress): Promise<string> {
  const recipe = RECIPES[name];
  let parentId: string;
  if (recipe.parent === 'base') {
    const base = await inspectImage(docker, 'resops/base:latest');
    if (!base) throw new TargetError('image resops/base is missing', 'build the local target images first: `resops up COURSE` (or `docker build -t resops/base containers/base`)');
    parentId = base.id;
  } else {
    parentId = await ensurePipelineImage(docker, recipe.parent!, progress);
  }
  const dir = join(CONTAINERS_DIR, recipe.dir);
  const files = await listFiles(dir);
  const hash = await contextHash(dir, files, recipe.dockerfile, parentId);
  const tag = pipelineImageTag(name);
  const current = await inspectImage(docker, tag);
  if (current?.hash === hash) return current.id;
  const started = Date.now();
  progress.step(`image ${tag}: ${current ? 'build context changed, rebuilding' : 'building'}`);
  const stream = await dockerCall(`building ${tag}`, () =>
    docker.buildImage({ context: dir, src: files }, { t: tag, dockerfile: recipe.dockerfile, labels: { [LOCAL_LABELS.contextHash]: hash, [LOCAL_LABELS.image]: name }, rm: true, forcerm: true }),
  );
  const outcome = await followBuild(stream as Readable, (line) => {
    const step = buildStep(line);
    if (step) progress.detail(`building ${tag}: step ${step.step} ${step.instruction.slice(0, 60)}`);
  });
  const failure = outcome.failure ? `${outcome.failure}\n    ${outcome.tail.join('\n    ')}` : undefined;
  if (failure) throw new TargetError(`building ${tag} failed: ${failure}`, `fix containers/${recipe.dir}/${recipe.dockerfile} or the access to Debian's archive, then run again`);
  progress.step(`image ${tag}: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  const built = await inspectImage(docker, tag);
  if (!built) throw new TargetError(`building ${tag}: the image is missing after a successful build`);
  if (current && current.id !== built.id) await docker.getImage(current.id).remove().catch(() => undefined);
  return built.id;
}

/** Sizes of both worker images, and Swift's for an object storage run (those that exist). */
export async function imageSizes(docker: Docker, storage: PipelineStorage): Promise<RunImage[]> {
  const images: Array<{ image: string; workersOf?: PipelineStorage }> = [
    { image: pipelineImageTag('pipeline'), workersOf: 'volume' },
    { image: pipelineImageTag('pipeline-cloud'), workersOf: 'object' },
    ...(storage === 'object' ? [{ image: pipelineImageTag('swift') }] : []),
  ];
  const sizes: RunImage[] = [];
  for (const entry of images) {
    const info = await docker.getImage(entry.image).inspect().catch(() => undefined);
    if (info) sizes.push({ ...entry, sizeMb: Math.round(info.Size / 1e5) / 10 });
  }
  return sizes;
}
