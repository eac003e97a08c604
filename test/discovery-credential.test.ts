/**
 * Prometheus' discovery credential, the parts that need no cloud: which requests it may make,
 * its state file, and what the instructor is told when the cloud refuses to make it. Made,
 * reused, refused and deleted against the rehearsal cloud in test/openstack-cloud.test.ts and
 * test/cloud/terraform-course.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  discoveryAccessRules,
  discoveryCredentialFile,
  discoveryCredentialName,
  ensureDiscoveryCredential,
  manualCreation,
  readDiscoveryCredential,
  writeDiscoveryCredential,
  type DiscoveryIdentity,
  type InstructorSession,
} from '../src/openstack/discovery-credential.js';
import { OpenStackApiError } from '../src/openstack/errors.js';
import { TargetError } from '../src/targets/driver.js';

const scratch = mkdtempSync(join(tmpdir(), 'resops-discovery-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const course = () => ({ id: `demo${++counter}`, dir: join(scratch, `c${counter}`), stateDir: '.resops' });

describe('the access rules of the discovery credential', () => {
  it("are exactly Prometheus 2.42's two GETs on Nova, under the catalog's compute path (one pair per distinct path)", () => {
    // The rehearsal cloud: the public and internal endpoints differ in host only.
    expect(discoveryAccessRules(['http://172.24.4.2:8774/v2.1', 'http://127.0.0.1:8774/v2.1/'])).toEqual([
      { service: 'compute', method: 'GET', path: '/v2.1/servers/detail' },
      { service: 'compute', method: 'GET', path: '/v2.1/os-floating-ips' },
    ]);
    // A cloud behind a path prefix on one side and with the project in the URL on the other.
    expect(discoveryAccessRules(['https://api.example.org/compute/v2.1', 'http://nova:8774/v2.1/0123abcd']).map((r) => r.path)).toEqual([
      '/compute/v2.1/servers/detail',
      '/compute/v2.1/os-floating-ips',
      '/v2.1/0123abcd/servers/detail',
      '/v2.1/0123abcd/os-floating-ips',
    ]);
  });
});

describe('the state file of the discovery credential', () => {
  it('is written 0600 in a 0700 directory of the state root, read back whole, and rewritten in place', () => {
    const c = course();
    const file = discoveryCredentialFile(c);
    expect(file).toBe(join(c.dir, '.resops', 'openstack', 'discovery-credential.json'));
    expect(readDiscoveryCredential(file)).toBeUndefined();
    const credential = { id: 'ac1', secret: 's3cret', userId: 'u1', accessRules: discoveryAccessRules(['http://127.0.0.1:8774/v2.1']) };
    writeDiscoveryCredential(file, credential);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(join(c.dir, '.resops')).mode & 0o777).toBe(0o700);
    expect(readDiscoveryCredential(file)).toEqual(credential);
    writeDiscoveryCredential(file, { id: 'ac2', secret: 'other' });
    expect(readDiscoveryCredential(file)).toEqual({ id: 'ac2', secret: 'other' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('made by hand, {"id", "secret"} is enough; anything else is refused naming the file and what to do, never echoing the secret', () => {
    const file = discoveryCredentialFile(course());
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{"id": "hand-made", "secret": "typed-in"}');
    expect(readDiscoveryCredential(file)).toEqual({ id: 'hand-made', secret: 'typed-in' });
    for (const text of ['not json: typed-in', '{"id": "x"}', '{"secret": "typed-in"}', '{"id": 4, "secret": "typed-in"}']) {
      writeFileSync(file, text);
      const error = (() => {
        try {
          readDiscoveryCredential(file);
        } catch (e) {
          return e as TargetError;
        }
        throw new Error(`accepted ${text}`);
      })();
      expect(error).toBeInstanceOf(TargetError);
      expect(error.message).toContain(file);
      expect(error.hint).toMatch(/delete (it|the file)/);
      expect(`${error.message} ${error.hint}`).not.toContain('typed-in');
    }
  });
});

describe('when the cloud refuses to make the discovery credential (a fake cloud: it answers 403 as Keystone does to a restricted application credential)', () => {
  const session: InstructorSession = {
    config: { name: 'teaching', authUrl: 'https://keystone.example.org:5000/v3', auth: { type: 'application_credential', id: 'instructor', secret: 'instructor-secret' }, interface: 'public', source: 'clouds.yaml' },
    cloud: 'teaching',
    userId: 'u1',
    projectId: 'p1',
    roles: ['member', 'reader'],
    catalogUrl: (kind, iface) => (kind === 'compute' ? { public: 'https://nova.example.org/v2.1', internal: 'http://10.0.0.5:8774/v2.1', admin: undefined }[iface] : undefined),
  };
  const refusing: DiscoveryIdentity = {
    findApplicationCredentials: async () => [],
    deleteApplicationCredential: async () => undefined,
    createApplicationCredential: async () => {
      throw new OpenStackApiError('Keystone (identity)', 'POST /users/u1/application_credentials', 403, "Using method 'application_credential' is not allowed for managing additional application credentials.", 'teaching');
    },
  };

  it("configure fails naming what was refused and why, gives the exact openstack command with Prometheus' access rules and the file to write, and never falls back to the instructor's credential", async () => {
    const c = course();
    const file = discoveryCredentialFile(c);
    const error = await ensureDiscoveryCredential(c, { session, identity: refusing, prometheusInterface: 'internal' }).then(
      () => undefined,
      (e: unknown) => e as TargetError,
    );
    expect(error).toBeInstanceOf(TargetError);
    expect(error!.message).toContain(`cloud "teaching" refused to make Prometheus' discovery credential ${discoveryCredentialName(c.id)}`);
    expect(error!.message).toContain('answered 403');
    expect(error!.message).toContain('never given the instructor\'s own credential instead');
    const rules = discoveryAccessRules(['http://10.0.0.5:8774/v2.1', 'https://nova.example.org/v2.1']);
    expect(error!.hint).toBe(manualCreation(c.id, file, rules));
    expect(error!.hint).toContain(
      `\`openstack application credential create resops-${c.id}-discovery --description 'Prometheus discovery of course ${c.id}: lists servers only' --access-rules '[{"service":"compute","method":"GET","path":"/v2.1/servers/detail"},{"service":"compute","method":"GET","path":"/v2.1/os-floating-ips"}]'\``,
    );
    expect(error!.hint).toContain(`then write its id and secret to ${file} (mode 0600) as {"id": "<id>", "secret": "<secret>"}`);
    expect(`${error!.message} ${error!.hint}`).not.toContain('instructor-secret');
    expect(() => readFileSync(file)).toThrow();
  });

  it('on a cloud whose services do not check access rules, the command asks for the reader role instead', () => {
    expect(manualCreation('demo', '/s/discovery-credential.json', 'reader')).toContain("`openstack application credential create resops-demo-discovery --description 'Prometheus discovery of course demo: lists servers only' --role reader`");
  });
});
