/**
 * The course's key for lift-and-shift's shared directory on the openstack target (role
 * pipeline_share): every Slurm machine mounts the first worker's volume with sshfs as
 * `resops-share`, whose authorized_keys lets this key start the SFTP server and nothing else.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureEcdsaKeyPair } from '../access/ecdsa-key.js';
import type { Course } from '../course/model.js';

/** Made on first use into `<state>/pipeline/share_id_ecdsa` (0600); the same for the course's life. */
export function shareKey(course: Pick<Course, 'dir' | 'stateDir' | 'id'>): { publicKey: string; privateKey: string } {
  const file = join(resolve(course.dir, course.stateDir), 'pipeline', 'share_id_ecdsa');
  const { publicKey } = ensureEcdsaKeyPair(course, file, `resops-share@${course.id}`);
  return { publicKey, privateKey: readFileSync(file, 'utf8') };
}
