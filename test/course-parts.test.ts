import { describe, expect, it } from 'vitest';
import { parseCidr } from '../src/course/cidr.js';
import { didYouMean } from '../src/course/did-you-mean.js';
import { IssueList } from '../src/course/issues.js';
import { parseCsv, readRoster } from '../src/course/roster.js';
import { checkSshPublicKey } from '../src/course/ssh-key.js';
import { carveSubnet, subnetCapacity } from '../src/course/subnets.js';
import { keyBlob, publicKey } from './fixtures/course/keys.js';

describe('RFC 4180 CSV reading', () => {
  const values = (text: string) => parseCsv(text).records.map((r) => r.fields.map((f) => f.value));

  it('quoted commas, doubled quotes, line breaks inside quotes, CRLF and a missing final newline', () => {
    expect(values('a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",last')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['two\nlines', 'last'],
    ]);
  });

  it('skips blank rows, trims blanks around unquoted fields, counts lines and columns from 1', () => {
    const { records } = parseCsv('\uFEFFid , name\n\n ,\n  bob ,  "Bob, B"\n');
    expect(records.map((r) => r.fields.map((f) => [f.value, f.spot.line, f.spot.column]))).toEqual([
      [['id', 1, 1], ['name', 1, 6]],
      [['bob', 4, 3], ['Bob, B', 4, 10]],
    ]);
  });

  it('reads CR-only line ends as line ends, inside quotes too', () => {
    expect(values('id,name\rbob,"Bob\rB"\ramy,Amy\r')).toEqual([['id', 'name'], ['bob', 'Bob\nB'], ['amy', 'Amy']]);
    expect(parseCsv('id,name\rbob,Bob\ramy,Amy').records.map((r) => r.spot.line)).toEqual([1, 2, 3]);
  });

  it('an unclosed quote in the second learner\'s row is reported as roster[1], in its column', () => {
    const issues = new IssueList();
    readRoster(`id,name,ssh_public_key\ndave,Dave,${publicKey('dave')}\nerin,Erin,"${publicKey('erin')}\n`, 'roster.csv', issues);
    expect(issues.items.map((i) => `${i.file}:${i.line}:${i.column} ${i.path}`)).toEqual(['roster.csv:3:11 roster[1].ssh_public_key']);
  });

  it('reports an unclosed quote where it opens', () => {
    expect(parseCsv('id,name\nbob,"Bob\n').problems).toEqual([{ spot: { line: 2, column: 5 }, message: 'this quoted field is never closed (a `"` is missing)', fatal: true }]);
  });
});

describe('CIDRs and subnets', () => {
  it('parses, refuses host bits and malformed blocks', () => {
    expect(parseCidr('10.42.0.0/16')).toEqual({ ok: true, value: { base: 10 * 2 ** 24 + 42 * 2 ** 16, prefix: 16 } });
    expect(parseCidr('10.42.7.0/22')).toEqual({ ok: false, reason: '10.42.7.0/22 has host bits set; did you mean 10.42.4.0/22?' });
    for (const bad of ['10.42.0.0', '10.42.0/16', '10.42.0.0/33', '010.1.0.0/16', '10.42.0.0/16 ']) expect(parseCidr(bad).ok).toBe(false);
  });

  it('carves subnet i of the course CIDR', () => {
    const course = parseCidr('172.16.0.0/12');
    if (!course.ok) throw new Error(course.reason);
    expect(subnetCapacity(course.value, 24)).toBe(4096);
    expect(carveSubnet(course.value, 24, 0)).toBe('172.16.0.0/24');
    expect(carveSubnet(course.value, 24, 257)).toBe('172.17.1.0/24');
    expect(() => carveSubnet(course.value, 24, 4096)).toThrow(RangeError);
  });
});

describe('did you mean', () => {
  it('finds near misses, other spellings and abbreviations, and nothing for unrelated words', () => {
    const fields = ['enabled', 'retention', 'volume_gb'];
    expect(didYouMean('retension', fields)).toBe('retention');
    expect(didYouMean('volumeGb', fields)).toBe('volume_gb');
    expect(didYouMean('VOLUME-GB', fields)).toBe('volume_gb');
    expect(didYouMean('ssh_key', ['id', 'ssh_public_key'])).toBe('ssh_public_key');
    expect(didYouMean('colour', fields)).toBeUndefined();
  });
});

describe('SSH public keys', () => {
  it('accepts ssh-keygen output of each family', () => {
    expect(checkSshPublicKey(publicKey('dave'))).toEqual({ ok: true, type: 'ssh-ed25519' });
    expect(checkSshPublicKey(publicKey('rsa-3072'))).toEqual({ ok: true, type: 'ssh-rsa' });
    expect(checkSshPublicKey(publicKey('ecdsa-384'))).toEqual({ ok: true, type: 'ecdsa-sha2-nistp384' });
  });

  it('checks the curve inside ECDSA key data', () => {
    const wrongCurve = `ecdsa-sha2-nistp256 ${keyBlob('ecdsa-sha2-nistp256', 'nistp384', Buffer.alloc(65, 4))}`;
    expect(checkSshPublicKey(wrongCurve)).toEqual({ ok: false, reason: 'not an OpenSSH public key: the ecdsa-sha2-nistp256 key data is truncated or corrupt' });
  });

  it('refuses authorized_keys options and PuTTY exports', () => {
    expect(checkSshPublicKey(`no-pty ${publicKey('dave')}`)).toEqual({ ok: false, reason: 'not an OpenSSH public key: authorized_keys options (`no-pty`…) are not allowed; give only the key' });
    expect(checkSshPublicKey('---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----').ok).toBe(false);
  });
});
