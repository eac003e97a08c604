/**
 * How the toolkit itself logs in to every machine a course makes (learner VMs, the monitoring
 * host, pipeline workers), so that `configure` works out of the box: as the image's default user,
 * with the instructors' own key when the course gives `cloud.admin_ssh_public_key`, else with a
 * per-course automation key generated into the state directory. Only the public half ever leaves
 * that directory (user data, the admin key pair, the local VMs' environment); the private half is
 * 0600 and named by path, never printed.
 */
import { join, resolve } from 'node:path';
import type { Course } from '../course/model.js';
import { ensureEcdsaKeyPair } from './ecdsa-key.js';

export interface AdminAccess {
  /** The image's default user (`cloud.image_user`): it gets the key and passwordless sudo. */
  user: string;
  /** The OpenSSH public key line authorised for `user` on every machine of the course. */
  publicKey: string;
  /**
   * The private key the toolkit logs in with; undefined when the course names the instructors'
   * own key (their agent or `--key` holds the private half).
   */
  privateKeyFile?: string;
}

export function automationKeyFile(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return join(resolve(course.dir, course.stateDir), 'automation', 'id_ecdsa');
}

/** The course's automation key, made on first use (ensureEcdsaKeyPair). */
export function ensureAutomationKey(course: Pick<Course, 'dir' | 'stateDir' | 'id'>): { privateKeyFile: string; publicKey: string } {
  return ensureEcdsaKeyPair(course, automationKeyFile(course), `resops-automation@${course.id}`);
}

export function adminAccess(course: Pick<Course, 'dir' | 'stateDir' | 'id' | 'cloud'>): AdminAccess {
  if (course.cloud.adminSshPublicKey !== undefined) return { user: course.cloud.imageUser, publicKey: course.cloud.adminSshPublicKey };
  const key = ensureAutomationKey(course);
  return { user: course.cloud.imageUser, publicKey: key.publicKey, privateKeyFile: key.privateKeyFile };
}

/** The course as the stacks see it: the admin key is always there, the instructors' or the automation key. */
export function withAdminKey<C extends Pick<Course, 'dir' | 'stateDir' | 'id' | 'cloud'>>(course: C): C {
  if (course.cloud.adminSshPublicKey !== undefined) return course;
  return { ...course, cloud: { ...course.cloud, adminSshPublicKey: adminAccess(course).publicKey } };
}
