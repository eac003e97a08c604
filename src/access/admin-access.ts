/**
 * How the toolkit itself logs in to every machine a course makes (learner VMs, the monitoring
 * host, pipeline workers), so that `configure` works out of the box: as the image's default user,
 * with the instructors' own key when the course gives `cloud.admin_ssh_public_key`, else with a
 * per-course automation key generated into the state directory. Only the public half ever leaves
 * that directory (user data, the admin key pair, the local VMs' environment); the private half is
 * 0600 and named by path, never printed.
 */
import { privateStateRoot } from '../course/private-state.js';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Course } from '../course/model.js';

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

/** An SSH wire-format string: 4-byte length, then the bytes. */
function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * The course's automation key, made on first use. ECDSA P-256 in PEM, which OpenSSH reads, so
 * that Node makes it without ssh-keygen (the host needs only Node and Docker).
 */
export function ensureAutomationKey(course: Pick<Course, 'dir' | 'stateDir' | 'id'>): { privateKeyFile: string; publicKey: string } {
  const privateKeyFile = automationKeyFile(course);
  const publicFile = `${privateKeyFile}.pub`;
  if (!existsSync(privateKeyFile) || !existsSync(publicFile)) {
    privateStateRoot(course);
    mkdirSync(join(privateKeyFile, '..'), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    const blob = Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(point)]);
    writeFileSync(privateKeyFile, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicFile, `ecdsa-sha2-nistp256 ${blob.toString('base64')} resops-automation@${course.id}\n`, { mode: 0o644 });
  }
  return { privateKeyFile, publicKey: readFileSync(publicFile, 'utf8').trim() };
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
