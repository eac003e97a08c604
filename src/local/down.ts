/**
 * `down`: removes every Docker object labelled with the course, then proves it by listing what is
 * still labelled. Built images are shared by all courses and kept unless asked (`--images`).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { LABELS, type Course } from '../course/model.js';
import { dockerCall, isNotFound, LOCAL_LABELS, messageOf, statusCode } from './docker.js';
import type { Progress } from './progress.js';
import { containerName, listCourseObjects } from './reconcile.js';

export interface DownResult {
  removed: string[];
  /** Objects still labelled with the course after removal (the proof; empty when clean). */
  left: string[];
  /** Images removed (`--images`) and images kept because something still uses them. */
  imagesRemoved: string[];
  imagesKept: string[];
}

/** Where the local target may keep files for a course (removed by down). */
export function localStateDir(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return join(course.dir, course.stateDir, 'local');
}

async function labelledObjects(docker: Docker, courseId: string, learner?: string): Promise<{ containers: Docker.ContainerInfo[]; networks: Docker.NetworkInspectInfo[]; volumes: string[] }> {
  const filters = { label: [`${LABELS.course}=${courseId}`, ...(learner === undefined ? [] : [`${LABELS.learner}=${learner}`])] };
  const [objects, volumes] = await Promise.all([
    listCourseObjects(docker, courseId),
    dockerCall('listing volumes', () => docker.listVolumes({ filters })),
  ]);
  const theirs = <T extends { Labels?: Record<string, string> }>(items: T[]) => (learner === undefined ? items : items.filter((item) => item.Labels?.[LABELS.learner] === learner));
  return { containers: theirs(objects.containers), networks: theirs(objects.networks), volumes: (volumes.Volumes ?? []).map((v) => v.Name) };
}

/**
 * Everything still labelled with the course (or with one of its learners), as `container x` /
 * `network y` / `volume z`: the proof of a clean down.
 */
export async function labelledLeftovers(docker: Docker, courseId: string, learner?: string): Promise<string[]> {
  const found = await labelledObjects(docker, courseId, learner);
  return [
    ...found.containers.map((c) => `container ${containerName(c)}`),
    ...found.networks.map((n) => `network ${n.Name}`),
    ...found.volumes.map((v) => `volume ${v}`),
  ];
}

/**
 * With `learner`, only that learner's machines and network go: the course's shared parts and
 * the other learners' labs stay as they are, and so do the course's files and images.
 */
export async function downLocal(docker: Docker, course: Course, progress: Progress, options: { images?: boolean; learner?: string } = {}): Promise<DownResult> {
  const found = await labelledObjects(docker, course.id, options.learner);
  const removed: string[] = [];
  // Force-removal kills at once: the lab is being thrown away, a graceful stop would only wait.
  await Promise.all(
    found.containers.map(async (c) => {
      const name = containerName(c);
      await dockerCall(`removing container ${name}`, async () => {
        try {
          await docker.getContainer(c.Id).remove({ force: true, v: true });
        } catch (error) {
          if (!isNotFound(error) && statusCode(error) !== 409) throw error;
        }
      });
      removed.push(`container ${name}`);
      progress.step(`container ${name}: removed`);
    }),
  );
  await Promise.all(
    found.networks.map(async (n) => {
      try {
        await dockerCall(`removing network ${n.Name}`, async () => {
          try {
            await docker.getNetwork(n.Id).remove();
          } catch (error) {
            if (!isNotFound(error)) throw error;
          }
        });
        removed.push(`network ${n.Name}`);
        progress.step(`network ${n.Name}: removed`);
      } catch (error) {
        // Reported by the proof below (the network is still labelled), with what to do.
        progress.step(`network ${n.Name}: NOT removed: ${(error as Error).message}`);
      }
    }),
  );
  for (const volume of found.volumes) {
    await dockerCall(`removing volume ${volume}`, () => docker.getVolume(volume).remove()).catch((error: Error) => progress.step(`volume ${volume}: NOT removed: ${error.message}`));
    removed.push(`volume ${volume}`);
  }
  if (options.learner === undefined) await rm(localStateDir(course), { recursive: true, force: true });

  const imagesRemoved: string[] = [];
  const imagesKept: string[] = [];
  if (options.images && options.learner === undefined) {
    let pending = await dockerCall('listing images', () => docker.listImages({ filters: { label: [LOCAL_LABELS.image] } }));
    // An image cannot go while another is built FROM it: children go in an earlier pass.
    for (let pass = 0; pass < 4 && pending.length; pass++) {
      const retry: typeof pending = [];
      for (const image of pending) {
        const name = image.RepoTags?.find((t) => t !== '<none>:<none>') ?? image.Id.slice(7, 19);
        try {
          await docker.getImage(image.Id).remove({ force: false });
          imagesRemoved.push(name);
          progress.step(`image ${name}: removed`);
        } catch (error) {
          if (isNotFound(error)) continue;
          if (/dependent child images/.test(messageOf(error)) && pass < 3) retry.push(image);
          else {
            imagesKept.push(name);
            progress.step(`image ${name}: kept (${messageOf(error)})`);
          }
        }
      }
      pending = retry;
    }
  }

  const left = await labelledLeftovers(docker, course.id, options.learner);
  return { removed: removed.filter((r) => !left.includes(r)), left, imagesRemoved, imagesKept };
}
