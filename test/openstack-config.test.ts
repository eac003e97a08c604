import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCloudConfig, type ConfigEnvironment } from '../src/openstack/cloud-config.js';
import { OpenStackClient } from '../src/openstack/client.js';
import { CloudConfigError, CloudUnreachableError, errorDetail } from '../src/openstack/errors.js';
import { belongsToCourse, courseLabel } from '../src/openstack/ownership.js';
import { fetchProjectQuota, NoCloudConfiguredError } from '../src/openstack/quota.js';

/** Credential discovery, ownership rules and error messages: no cloud needed. */

const roots: string[] = [];
function sandbox(): { env: ConfigEnvironment; root: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'resops-clouds-'));
  roots.push(root);
  mkdirSync(path.join(root, 'cwd'));
  mkdirSync(path.join(root, 'home'));
  return {
    root,
    env: { env: { RESOPS_CLOUD_DIR: path.join(root, 'state') }, cwd: path.join(root, 'cwd'), home: path.join(root, 'home') },
  };
}
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('clouds.yaml discovery', () => {
  it('reads an entry from ./clouds.yaml and merges its secure.yaml password', () => {
    const { env } = sandbox();
    writeFileSync(path.join(env.cwd, 'clouds.yaml'), [
      'clouds:',
      '  teaching:',
      '    auth:',
      '      auth_url: https://keystone.example.org:5000',
      '      username: instructor',
      '      project_name: resops',
      '      user_domain_name: Default',
      '      project_domain_name: Default',
      '    region_name: RegionTwo',
    ].join('\n'));
    mkdirSync(path.join(env.home, '.config', 'openstack'), { recursive: true });
    writeFileSync(path.join(env.home, '.config', 'openstack', 'secure.yaml'), 'clouds:\n  teaching:\n    auth:\n      password: s3cret\n');
    const config = findCloudConfig('teaching', env);
    expect(config?.authUrl).toBe('https://keystone.example.org:5000');
    expect(config?.regionName).toBe('RegionTwo');
    expect(config?.auth).toMatchObject({ type: 'password', username: 'instructor', password: 's3cret', projectName: 'resops' });
    expect(config?.source).toContain('secure.yaml');
  });

  it('prefers OS_CLIENT_CONFIG_FILE and reads application credentials', () => {
    const { env, root } = sandbox();
    const file = path.join(root, 'elsewhere.yaml');
    writeFileSync(file, 'clouds:\n  appcred:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      application_credential_id: abc123\n      application_credential_secret: xyz\n');
    env.env.OS_CLIENT_CONFIG_FILE = file;
    const config = findCloudConfig('appcred', env);
    expect(config?.auth).toEqual(expect.objectContaining({ type: 'application_credential', id: 'abc123', secret: 'xyz' }));
    expect(config?.source).toContain('elsewhere.yaml');
  });

  it('falls back to OS_* variables when no clouds.yaml has the cloud', () => {
    const { env } = sandbox();
    Object.assign(env.env, { OS_AUTH_URL: 'http://127.0.0.1:5000/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'proj', OS_INTERFACE: 'internal' });
    const config = findCloudConfig('anything', env);
    expect(config?.source).toBe('OS_* variables');
    expect(config?.interface).toBe('internal');
    expect(config?.auth).toMatchObject({ username: 'u', projectName: 'proj' });
  });

  it('finds nothing when there is neither a clouds.yaml entry nor OS_AUTH_URL', () => {
    const { env } = sandbox();
    writeFileSync(path.join(env.cwd, 'clouds.yaml'), 'clouds:\n  other:\n    auth:\n      auth_url: http://x\n      username: a\n      password: b\n');
    expect(findCloudConfig('teaching', env)).toBeUndefined();
  });

  it('names the file and the field of an unusable entry', () => {
    const { env } = sandbox();
    writeFileSync(path.join(env.cwd, 'clouds.yaml'), 'clouds:\n  broken:\n    auth:\n      auth_url: http://x\n      username: a\n');
    expect(() => findCloudConfig('broken', env)).toThrow(CloudConfigError);
    expect(() => findCloudConfig('broken', env)).toThrow(/clouds\.yaml: clouds\.broken: auth\.password is missing/);
  });

  it('reads the rehearsal cloud state directory last', () => {
    const { env } = sandbox();
    mkdirSync(env.env.RESOPS_CLOUD_DIR as string, { recursive: true });
    writeFileSync(path.join(env.env.RESOPS_CLOUD_DIR as string, 'clouds.yaml'),
      'clouds:\n  resops-local:\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: admin\n      password: pw\n      project_name: admin\n');
    expect(findCloudConfig('resops-local', env)?.auth).toMatchObject({ username: 'admin' });
  });
});

describe('fetchProjectQuota without a cloud', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('OS_')) delete process.env[key];
    const root = mkdtempSync(path.join(os.tmpdir(), 'resops-noclouds-'));
    roots.push(root);
    process.env.RESOPS_CLOUD_DIR = path.join(root, 'state');
    process.env.XDG_CONFIG_HOME = path.join(root, 'config');
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('throws NoCloudConfiguredError so preflight reports "quota not checked"', async () => {
    await expect(fetchProjectQuota('no-such-cloud-7f3a')).rejects.toBeInstanceOf(NoCloudConfiguredError);
    await expect(fetchProjectQuota('no-such-cloud-7f3a')).rejects.toThrow(/no credentials for cloud "no-such-cloud-7f3a"/);
  });

  it('gives a clear error when the configured cloud is unreachable', async () => {
    const port = await closedPort();
    Object.assign(process.env, { OS_AUTH_URL: `http://127.0.0.1:${port}/v3`, OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'x' });
    const error = await fetchProjectQuota('teaching').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`cannot reach Keystone \\(identity\\) of cloud "teaching" at http://127.0.0.1:${port}/v3: connection refused`));
    expect((error as Error).message).not.toContain('"p"');
  });
});

describe('unreachable endpoint', () => {
  it('a request that gets no answer in time says so', async () => {
    // A server that accepts connections and never answers.
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const error = await OpenStackClient.connect(
        { name: 'slow', authUrl: `http://127.0.0.1:${port}`, auth: { type: 'password', username: 'a', password: 'b' }, interface: 'public', source: 'test' },
        { timeoutMs: 500 },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CloudUnreachableError);
      expect((error as Error).message).toContain('no answer within 0.5 s');
    } finally {
      server.close();
    }
  });
});

describe('course ownership of cloud resources', () => {
  it('decides by label when there is one, by the <id>- prefix otherwise', () => {
    expect(belongsToCourse('demo', 'demo-alice-vm1', 'demo')).toBe('label');
    expect(belongsToCourse('demo', 'anything', 'demo')).toBe('label');
    expect(belongsToCourse('demo', 'demo-alice-key', undefined)).toBe('name');
    expect(belongsToCourse('demo', 'demo2-alice-vm1', undefined)).toBeUndefined();
    expect(belongsToCourse('demo', 'demo2-alice-vm1', 'demo2')).toBeUndefined();
    // Labelled for another course although the name fits: the label wins.
    expect(belongsToCourse('demo', 'demo-2-alice-vm1', 'demo-2')).toBeUndefined();
    expect(belongsToCourse('demo', 'demo', undefined)).toBeUndefined();
  });

  it('leaves an unlabelled name to a longer course id that is known in the project', () => {
    const known = new Set(['demo', 'demo-2']);
    expect(belongsToCourse('demo', 'demo-2-alice-key', undefined, known)).toBeUndefined();
    expect(belongsToCourse('demo-2', 'demo-2-alice-key', undefined, known)).toBe('name');
    expect(belongsToCourse('demo', 'demo-alice-key', undefined, known)).toBe('name');
  });

  it('reads the course from metadata or from a resops-course=<id> tag', () => {
    expect(courseLabel({ metadata: { 'resops-course': 'demo' } })).toBe('demo');
    expect(courseLabel({ tags: ['other', 'resops-course=demo2'] })).toBe('demo2');
    expect(courseLabel({ tags: ['resops-courses=demo'] })).toBeUndefined();
  });
});

describe('error bodies of OpenStack services', () => {
  it('extracts the message of Nova, Neutron, Keystone, Placement and HTML answers', () => {
    expect(errorDetail('{"forbidden": {"code": 403, "message": "Policy does not allow x"}}', 'application/json')).toBe('Policy does not allow x');
    expect(errorDetail('{"NeutronError": {"type": "OverQuota", "message": "Quota exceeded for resources: [\'network\'].", "detail": ""}}', 'application/json'))
      .toBe("Quota exceeded for resources: ['network'].");
    expect(errorDetail('{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}', 'application/json'))
      .toBe('The request you have made requires authentication.');
    expect(errorDetail('{"errors": [{"status": 404, "title": "Not Found", "detail": "No resource provider"}]}', 'application/json'))
      .toBe('Not Found: No resource provider');
    expect(errorDetail('<html><head><title>x</title></head><body><h1>401 Unauthorized</h1><p>This server could not verify.</p></body></html>', 'text/html'))
      .toBe('401 Unauthorized This server could not verify.');
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
