/**
 * The one Swift client (src/object-store/) against the real resops/swift container, reached the
 * way the pipeline reaches it (tempauth on the published port): containers with metadata, head,
 * listing with paging, objects put, read, tested and deleted, a container emptied and deleted,
 * and the errors of a refused login and a refused token. Then the same client through an
 * OpenStackSession, as the openstack code reaches Swift: a stand-in Keystone hands out the
 * tempauth token with a catalog naming the same Swift (the rehearsal-cloud suite does this against
 * a real Keystone). Swift is started by the pipeline's own ensureSwift. Skipped when no Docker
 * daemon answers, except in CI (CI=1), where that is a failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { downLocal } from '../src/local/down.js';
import { collectingProgress } from '../src/local/progress.js';
import { ObjectStore } from '../src/object-store/client.js';
import { OpenStackClient } from '../src/openstack/client.js';
import { OpenStackApiError } from '../src/openstack/errors.js';
import { OpenStackSession } from '../src/openstack/session.js';
import { tempauthLogin, tempauthTransport, type TempauthLogin } from '../src/object-store/tempauth.js';
import { ensureSwift, REFERENCE_OBJECT, SWIFT_USER, swiftBucket } from '../src/pipeline/infra.js';
import { courseYaml } from './helpers/course-yaml.js';
import { suiteDocker, suiteId } from './helpers/docker-suite.js';

const { docker, dockerAvailable } = await suiteDocker('the object-store tests');

const { id: ID, n } = suiteId('t-swift');
// Ports and CIDR apart from the other Docker suites' (ports 20000–59999, CIDRs 10.20–249), above Linux's ephemeral ports.
const PORT_BASE = 61000 + (n % 40) * 100;
const SWIFT_PORT = PORT_BASE + 80;
const AUTH_URL = `http://127.0.0.1:${SWIFT_PORT}/auth/v1.0`;

let dir = '';
let course: Course;
let key = '';
let login: TempauthLogin;
let store: ObjectStore;
const container = `${ID}-objects`;
let keystone: Server | undefined;

/** A Keystone that answers every login with the tempauth token and a catalog naming the local Swift. */
async function standInKeystone(): Promise<string> {
  keystone = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const expires = new Date(Date.now() + 3600_000).toISOString();
      const catalog = [{ type: 'object-store', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: login.storageUrl }] }];
      response.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': login.token });
      response.end(JSON.stringify({ token: { expires_at: expires, user: { id: 'u', name: 'pipeline' }, project: { id: 'p', name: 'resops' }, roles: [], catalog } }));
    });
  });
  await new Promise<void>((resolve) => keystone!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(keystone.address() as AddressInfo).port}/v3`;
}

describe.skipIf(!dockerAvailable)('the Swift client on the resops/swift container', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'resops-swift-'));
    const file = join(dir, 'course.yaml');
    writeFileSync(
      file,
      `${courseYaml({ id: ID, target: 'local', learners: 1, workers: 1, storage: 'object', cidr: `10.${250 + (n % 5)}.0.0/16` })}` +
        `local:\n  ssh_port_base: ${PORT_BASE}\n  ports: { prometheus: ${PORT_BASE + 90}, pushgateway: ${PORT_BASE + 91}, alertmanager: ${PORT_BASE + 93}, gnocchi: ${PORT_BASE + 41}, swift: ${SWIFT_PORT} }\n`,
    );
    course = loadCourse(file);
    ({ key } = await ensureSwift(docker, course, collectingProgress()));
    login = await tempauthLogin(AUTH_URL, SWIFT_USER, key);
    // Two names a page, so that a handful of objects takes several pages.
    store = new ObjectStore(tempauthTransport(login), 2);
  });

  afterAll(async () => {
    keystone?.close();
    if (course) await downLocal(docker, course, collectingProgress());
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the storage URL names the published port, not the host the proxy was asked on', () => {
    expect(login.storageUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${SWIFT_PORT}/v1/AUTH_`));
  });

  it('ensureSwift made the pipeline container and seeded the reference in it', async () => {
    expect(await store.objectExists(swiftBucket(course), REFERENCE_OBJECT)).toBe(true);
    expect((await store.getObject(swiftBucket(course), REFERENCE_OBJECT))?.startsWith('>')).toBe(true);
  });

  it('a container: created with metadata, headed, listed over several pages', async () => {
    await store.createContainer(container, { 'resops-course': ID });
    expect(await store.headContainer(container)).toEqual({ count: 0, bytes: 0, metadata: { 'resops-course': ID } });
    expect(await store.headContainer(`${container}-absent`)).toBeUndefined();
    const containers = await store.listContainers();
    expect(containers.map((c) => c.name).sort()).toEqual([container, swiftBucket(course)].sort());
    expect(containers.find((c) => c.name === container)?.metadata).toEqual({ 'resops-course': ID });
    expect((await store.listContainers(false)).find((c) => c.name === container)?.metadata).toEqual({});
  });

  it('objects: put, read back, tested, listed (with a prefix, over pages), deleted', async () => {
    const names = ['run-1/a.txt', 'run-1/b.txt', 'run-1/sub dir/c ü.txt', 'run-2/a.txt', 'top.txt'];
    for (const name of names) await store.putObject(container, name, `content of ${name}\n`);
    await store.putObject(container, 'bytes.bin', new Uint8Array([104, 105]));
    expect(await store.getObject(container, 'run-1/sub dir/c ü.txt')).toBe('content of run-1/sub dir/c ü.txt\n');
    expect(await store.getObject(container, 'bytes.bin')).toBe('hi');
    expect(await store.getObject(container, 'absent.txt')).toBeUndefined();
    expect(await store.objectExists(container, 'run-2/a.txt')).toBe(true);
    expect(await store.objectExists(container, 'run-2/absent.txt')).toBe(false);
    expect(await store.listObjects(container)).toEqual(['bytes.bin', ...names].sort());
    expect(await store.listObjects(container, 'run-1/')).toEqual(['run-1/a.txt', 'run-1/b.txt', 'run-1/sub dir/c ü.txt']);
    expect(await store.deleteObject(container, 'top.txt')).toBe(true);
    expect(await store.deleteObject(container, 'top.txt')).toBe(false);
    expect(await store.listObjects(container)).not.toContain('top.txt');
    expect((await store.headContainer(container))?.count).toBe(names.length);
  });

  it('a container with objects is emptied page by page and deleted; a second time it is gone', async () => {
    expect(await store.deleteContainer(container)).toBe(true);
    expect(await store.headContainer(container)).toBeUndefined();
    expect(await store.deleteContainer(container)).toBe(false);
  });

  it('a refused login and a refused token are errors naming the call', async () => {
    await expect(tempauthLogin(AUTH_URL, SWIFT_USER, 'wrong')).rejects.toThrow(`Swift auth at ${AUTH_URL}: HTTP 401`);
    const refused = new ObjectStore(tempauthTransport({ storageUrl: login.storageUrl, token: 'AUTH_tk0000' }));
    await expect(refused.putObject(swiftBucket(course), 'x.txt', 'x')).rejects.toThrow(`PUT ${swiftBucket(course)}/x.txt: HTTP 401`);
    await expect(refused.objectExists(swiftBucket(course), 'x.txt')).rejects.toThrow(`HEAD ${swiftBucket(course)}/x.txt: HTTP 401`);
  });

  it('through a Keystone session: the same calls, and failures as OpenStackApiError naming Swift', async () => {
    const authUrl = await standInKeystone();
    const session = await OpenStackSession.connect({
      name: 'stand-in',
      authUrl,
      auth: { type: 'password', username: 'pipeline', password: 'unused', projectName: 'resops' },
      regionName: 'RegionOne',
      interface: 'public',
      source: 'test',
    });
    const objectStore = new OpenStackClient(session).objectStore;
    const name = `${ID}-session`;
    await objectStore.createContainer(name, { 'resops-course': ID });
    await objectStore.putObject(name, 'run-1/evaluation.json', '{"f1":1}');
    expect(await objectStore.getObject(name, 'run-1/evaluation.json')).toBe('{"f1":1}');
    expect(await objectStore.listObjects(name, 'run-1/')).toEqual(['run-1/evaluation.json']);
    expect((await objectStore.listContainers()).find((c) => c.name === name)).toEqual({ name, count: 1, bytes: 8, metadata: { 'resops-course': ID } });
    expect(await objectStore.deleteContainer(name)).toBe(true);
    expect(await objectStore.deleteContainer(name)).toBe(false);
    const refused = objectStore.putObject(`${ID}-absent`, 'x.txt', 'x');
    await expect(refused).rejects.toBeInstanceOf(OpenStackApiError);
    await expect(refused).rejects.toThrow(/Swift \(object-store\).*PUT \/t-swift-[0-9a-f]+-absent\/x\.txt.*404/);
  });
});
