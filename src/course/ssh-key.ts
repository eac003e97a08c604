import { looksLikePrivateKey } from './issues.js';

/**
 * OpenSSH public key lines (`ssh-ed25519 AAAA… comment`), checked the way the cloud will read them:
 * a known key type, base64 key data, and key data whose embedded type and structure match the
 * declared type. Messages never repeat the key text: a pasted private key must not end up in a
 * terminal log.
 */

export type KeyCheck = { ok: true; type: string } | { ok: false; reason: string };

const ECDSA_CURVES: Record<string, { curve: string; pointBytes: number }> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', pointBytes: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', pointBytes: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', pointBytes: 133 },
};
const SK_ED25519 = 'sk-ssh-ed25519@openssh.com';
const SK_ECDSA = 'sk-ecdsa-sha2-nistp256@openssh.com';

export const SSH_KEY_TYPES: readonly string[] = ['ssh-ed25519', 'ssh-rsa', ...Object.keys(ECDSA_CURVES), SK_ED25519, SK_ECDSA];

/** RSA keys shorter than this are refused (NIST minimum; OpenSSH itself refuses < 1024). */
export const MIN_RSA_BITS = 2048;

const NOT_OPENSSH = 'not an OpenSSH public key';

/** The length-prefixed strings of an SSH wire-format blob, or undefined when it does not split cleanly. */
function splitBlob(blob: Buffer): Buffer[] | undefined {
  const fields: Buffer[] = [];
  let offset = 0;
  while (offset < blob.length) {
    if (offset + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(offset);
    offset += 4;
    if (offset + length > blob.length) return undefined;
    fields.push(blob.subarray(offset, offset + length));
    offset += length;
  }
  return fields;
}

function mpintBits(value: Buffer): number {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  if (i === value.length) return 0;
  return (value.length - i - 1) * 8 + (32 - Math.clz32(value[i]!));
}

/** Structure of the key data after the type string, per key type (RFC 4253, 5656, 8709, PROTOCOL.u2f). */
function checkStructure(type: string, fields: Buffer[]): string | undefined {
  const corrupt = `${NOT_OPENSSH}: the ${type} key data is truncated or corrupt`;
  const ecdsa = ECDSA_CURVES[type];
  if (type === 'ssh-ed25519') {
    if (fields.length !== 2 || fields[1]!.length !== 32) return corrupt;
  } else if (type === 'ssh-rsa') {
    if (fields.length !== 3) return corrupt;
    const bits = mpintBits(fields[2]!);
    if (bits < MIN_RSA_BITS) return `RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed (generate a new one with \`ssh-keygen -t ed25519\`)`;
  } else if (ecdsa) {
    if (fields.length !== 3 || fields[1]!.toString('latin1') !== ecdsa.curve || fields[2]!.length !== ecdsa.pointBytes) return corrupt;
  } else if (type === SK_ED25519) {
    if (fields.length !== 3 || fields[1]!.length !== 32) return corrupt;
  } else if (type === SK_ECDSA) {
    if (fields.length !== 4 || fields[1]!.toString('latin1') !== 'nistp256' || fields[2]!.length !== 65) return corrupt;
  }
  return undefined;
}

export function checkSshPublicKey(text: string): KeyCheck {
  const line = text.trim();
  if (looksLikePrivateKey(line)) {
    return {
      ok: false,
      reason: 'this is a private key, not a public key: paste the public key (the .pub file) instead; the private key stays with the learner (treat this one as leaked and replace it)',
    };
  }
  if (line === '') return { ok: false, reason: 'is empty; expected an OpenSSH public key line such as `ssh-ed25519 AAAA… name@laptop`' };
  if (/^---- BEGIN SSH2 PUBLIC KEY ----/.test(line)) {
    return { ok: false, reason: `${NOT_OPENSSH}: this is an SSH2 (PuTTY) public key; convert it with \`ssh-keygen -i -f key.pub\`` };
  }
  if (/[\r\n]/.test(line)) return { ok: false, reason: `${NOT_OPENSSH}: it spans several lines; give one key on one line` };
  const words = line.split(/\s+/);
  if (!SSH_KEY_TYPES.includes(words[0]!) && words.length > 1 && SSH_KEY_TYPES.includes(words[1]!)) {
    return { ok: false, reason: `${NOT_OPENSSH}: authorized_keys options (\`${words[0]!.split(/[=,]/)[0]}\`…) are not allowed; give only the key` };
  }
  const type = words[0]!;
  if (type === 'ssh-dss') {
    return { ok: false, reason: 'ssh-dss (DSA) keys are no longer accepted by OpenSSH; generate one with `ssh-keygen -t ed25519`' };
  }
  if (!SSH_KEY_TYPES.includes(type)) {
    const shown = type.length > 40 || !/^[\x21-\x7e]+$/.test(type) ? 'this' : `\`${type}\``;
    return { ok: false, reason: `${NOT_OPENSSH}: unknown key type ${shown} (expected ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or an sk-… security key type)` };
  }
  const data = words[1];
  if (data === undefined) return { ok: false, reason: `${NOT_OPENSSH}: the key data after \`${type}\` is missing` };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0) {
    return { ok: false, reason: `${NOT_OPENSSH}: the key data after \`${type}\` is not valid base64` };
  }
  const fields = splitBlob(Buffer.from(data, 'base64'));
  if (!fields || fields.length === 0) return { ok: false, reason: `${NOT_OPENSSH}: the ${type} key data is truncated or corrupt` };
  const embedded = fields[0]!.toString('latin1');
  if (embedded !== type) {
    const shown = SSH_KEY_TYPES.includes(embedded) || embedded === 'ssh-dss' ? embedded : 'something else';
    return { ok: false, reason: `${NOT_OPENSSH}: the line says ${type} but the key data is ${shown}` };
  }
  const problem = checkStructure(type, fields);
  return problem === undefined ? { ok: true, type } : { ok: false, reason: problem };
}
