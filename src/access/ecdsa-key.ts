/**
 * SSH key pairs the toolkit makes for a course (the automation key, the pipeline share's key):
 * ECDSA P-256 in PEM, which OpenSSH reads, so that Node makes them without ssh-keygen (the host
 * needs only Node and Docker). The private half stays 0600 in the course's private state
 * directory; only the public line is meant to leave it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Course } from '../course/model.js';
import { privateStateRoot } from '../course/private-state.js';

/** An SSH wire-format string: 4-byte length, then the bytes. */
function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The key pair at `privateKeyFile` (and `.pub` next to it), made on first use. */
export function ensureEcdsaKeyPair(course: Pick<Course, 'dir' | 'stateDir'>, privateKeyFile: string, comment: string): { privateKeyFile: string; publicKey: string } {
  const publicFile = `${privateKeyFile}.pub`;
  if (!existsSync(privateKeyFile) || !existsSync(publicFile)) {
    privateStateRoot(course);
    mkdirSync(dirname(privateKeyFile), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    const blob = Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(point)]);
    writeFileSync(privateKeyFile, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicFile, `ecdsa-sha2-nistp256 ${blob.toString('base64')} ${comment}\n`, { mode: 0o644 });
  }
  return { privateKeyFile, publicKey: readFileSync(publicFile, 'utf8').trim() };
}
