/**
 * What `configure` hands ansible-playbook at run time on the openstack target (never the
 * inventory): the Gnocchi password, Prometheus' discovery credentials and, for a course with
 * workers, the Slurm cluster's munge key, the same file the local target's containers get.
 */
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderInventory, inventoryFromTerraformOutputs } from '../src/ansible/inventory.js';
import { gnocchiUsers } from '../src/access/gnocchi-users.js';
import { runVars } from '../src/ansible/run-vars.js';
import { loadCourseText } from '../src/course/load.js';
import { mungeKey } from '../src/pipeline/munge-key.js';
import { courseYaml, type CourseYamlOptions } from './helpers/course-yaml.js';

const scratch = mkdtempSync(join(tmpdir(), 'resops-run-vars-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The research cloud's catalog, as the course's credentials would read it (no request leaves this machine). */
const catalogs: string[] = [];
const researchCatalog = async (cloudName: string) => {
  catalogs.push(cloudName);
  return {
    config: { authUrl: 'https://keystone.example.org:5000/v3' },
    catalogUrl: (kind: string, iface: string) => ({ identity: { public: 'https://keystone.example.org:5000' } } as Record<string, Record<string, string>>)[kind]?.[iface],
  };
};
const rehearsalCatalog = async () => ({
  config: { authUrl: 'http://127.0.0.1:5000/v3' },
  catalogUrl: (kind: string, iface: string) => (kind === 'identity' ? { public: 'http://127.0.0.1:5000/v3/', internal: 'http://172.24.4.2:5000/v3/' }[iface] : undefined),
});

/** The discovery credential `configure` would make in that cloud (made for real in test/cloud/terraform-course.ts). */
const discoveryCalls: Array<{ cloud: string; course: string; iface: string }> = [];
const discoveryAuth = async (cloud: string, c: { id: string }, iface: string) => {
  discoveryCalls.push({ cloud, course: c.id, iface });
  return { application_credential_id: `ac-${c.id}`, application_credential_secret: 'discovery-secret' };
};

let counter = 0;
function course(options: CourseYamlOptions) {
  const dir = join(scratch, `course-${++counter}`);
  return loadCourseText(courseYaml({ target: 'openstack', ...options }), join(dir, 'course.yaml'), dir);
}

describe('configure run-time variables (openstack; the cloud\'s catalog and discovery credential are fakes: no cloud answers here)', () => {
  const saved = process.env.OS_CLIENT_CONFIG_FILE;
  beforeEach(() => {
    const clouds = join(scratch, 'clouds.yaml');
    writeFileSync(clouds, 'clouds:\n  research-cloud:\n    auth:\n      auth_url: https://keystone.example.org:5000/v3\n      username: teacher\n      password: s3cret-Passw0rd\n      project_name: resops\n      user_domain_name: Default\n    region_name: RegionOne\n');
    process.env.OS_CLIENT_CONFIG_FILE = clouds;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.OS_CLIENT_CONFIG_FILE;
    else process.env.OS_CLIENT_CONFIG_FILE = saved;
  });

  it("a course with workers gets its munge key (the state directory's file, 0600, stable), never in the inventory", async () => {
    const c = course({ id: 'munge-a', workers: 2 });
    const vars = await runVars(c, { catalog: researchCatalog, discoveryAuth });
    const key = Buffer.from(String(vars.slurm_common_munge_key_b64), 'base64');
    expect(key.length).toBe(1024);
    const file = join(c.dir, c.stateDir, 'pipeline', 'munge.key');
    expect(readFileSync(file).equals(key)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await runVars(c, { catalog: researchCatalog, discoveryAuth })).slurm_common_munge_key_b64).toBe(vars.slurm_common_munge_key_b64);
    expect(mungeKey(c).equals(key)).toBe(true);
    // Another course, another key.
    expect((await runVars(course({ id: 'munge-b', workers: 1 }), { catalog: researchCatalog, discoveryAuth })).slurm_common_munge_key_b64).not.toBe(vars.slurm_common_munge_key_b64);
    const inventory = renderInventory(
      inventoryFromTerraformOutputs(c, { learners: {}, monitoring: { address: '203.0.113.5', fixed_ip: '10.42.0.5' }, pipeline: { workers: [{ name: 'munge-a-worker1', fixed_ip: '10.42.0.11' }] } }, { keys: {}, knownHostsFile: '/k' }),
    );
    expect(inventory).not.toContain(String(vars.slurm_common_munge_key_b64).slice(0, 24));
    expect(inventory).not.toContain('s3cret-Passw0rd');
  });

  it("Gnocchi's users: admin and one per learner, generated once (0600), the same on the next run, never in the inventory", async () => {
    const c = course({ id: 'gnocchi-users', workers: 0 });
    const vars = await runVars(c, { catalog: researchCatalog, discoveryAuth });
    const password = String(vars.gnocchi_api_password);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    const learners = vars.gnocchi_api_learners as Record<string, string>;
    expect(Object.keys(learners).sort()).toEqual(c.learners.map((l) => l.id).sort());
    expect(new Set([password, ...Object.values(learners)]).size).toBe(1 + c.learners.length);
    const file = join(c.dir, c.stateDir, 'gnocchi-users.yml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(password);
    const again = await runVars(c, { catalog: researchCatalog, discoveryAuth });
    expect([again.gnocchi_api_password, again.gnocchi_api_learners]).toEqual([password, learners]);
    const inventory = renderInventory(inventoryFromTerraformOutputs(c, { learners: {}, monitoring: { address: '203.0.113.5', fixed_ip: '10.42.0.5' } }, { keys: {}, knownHostsFile: '/k' }));
    expect(inventory).not.toContain(password.slice(0, 16));
  });

  it('lift-and-shift workers get the share\'s key pair (0600 private half, stable, one per course, never in the inventory); cloud-native ones none', async () => {
    const c = course({ id: 'share-a', workers: 2, storage: 'volume' });
    const vars = await runVars(c, { catalog: researchCatalog, discoveryAuth });
    expect(String(vars.pipeline_share_public_key)).toMatch(/^ecdsa-sha2-nistp256 AAAA\S+ resops-share@share-a$/);
    expect(String(vars.pipeline_share_private_key)).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n[^]+\n-----END EC PRIVATE KEY-----\n$/);
    const file = join(c.dir, c.stateDir, 'pipeline', 'share_id_ecdsa');
    expect(readFileSync(file, 'utf8')).toBe(vars.pipeline_share_private_key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The public line is the private key's: OpenSSH's own derivation agrees.
    const pub = createPublicKey(String(vars.pipeline_share_private_key)).export({ format: 'jwk' });
    const blob = Buffer.from(String(vars.pipeline_share_public_key).split(' ')[1]!, 'base64');
    expect(blob.subarray(-64).equals(Buffer.concat([Buffer.from(pub.x!, 'base64url'), Buffer.from(pub.y!, 'base64url')]))).toBe(true);
    expect((await runVars(c, { catalog: researchCatalog, discoveryAuth })).pipeline_share_private_key).toBe(vars.pipeline_share_private_key);
    expect((await runVars(course({ id: 'share-b', workers: 2, storage: 'volume' }), { catalog: researchCatalog, discoveryAuth })).pipeline_share_public_key).not.toBe(vars.pipeline_share_public_key);
    const inventory = renderInventory(
      inventoryFromTerraformOutputs(c, { learners: {}, monitoring: { address: '203.0.113.5', fixed_ip: '10.42.0.5' }, pipeline: { workers: [{ name: 'share-a-worker1', fixed_ip: '10.42.0.11' }] } }, { keys: {}, knownHostsFile: '/k' }),
    );
    expect(inventory).not.toContain(String(vars.pipeline_share_private_key).split('\n')[1]!.slice(0, 24));
    const native = course({ id: 'share-c', workers: 2, storage: 'object' });
    expect((await runVars(native, { catalog: researchCatalog, discoveryAuth })).pipeline_share_private_key).toBeUndefined();
    expect(() => statSync(join(native.dir, native.stateDir, 'pipeline', 'share_id_ecdsa'))).toThrow();
  });

  it('the monitoring host gets the course\'s logins: Prometheus admin and every learner, Alertmanager admin only, the same hashes on the next run', async () => {
    const c = course({ id: 'web-a', workers: 0 });
    const vars = await runVars(c, { catalog: researchCatalog, discoveryAuth });
    const users = gnocchiUsers(c);
    expect(Object.keys(vars.prometheus_web_users as Record<string, string>).sort()).toEqual(['admin', ...c.learners.map((l) => l.id)].sort());
    expect(Object.keys(vars.alertmanager_web_users as Record<string, string>)).toEqual(['admin']);
    expect({ user: vars.prometheus_login_user, password: vars.prometheus_login_password }).toEqual({ user: 'admin', password: users.admin });
    expect(JSON.stringify([vars.prometheus_web_users, vars.alertmanager_web_users])).not.toContain(users.admin);
    const again = await runVars(c, { catalog: researchCatalog, discoveryAuth });
    expect([again.prometheus_web_users, again.alertmanager_web_users]).toEqual([vars.prometheus_web_users, vars.alertmanager_web_users]);
  });

  it('a course without workers has no Slurm and no key is made', async () => {
    const c = course({ id: 'munge-c', workers: 0 });
    const vars = await runVars(c, { catalog: researchCatalog, discoveryAuth });
    expect(vars.slurm_common_munge_key_b64).toBeUndefined();
    // Prometheus gets the course's discovery credential for the interface it uses, never the instructor's.
    expect(vars.prometheus_openstack_auth).toEqual({ application_credential_id: 'ac-munge-c', application_credential_secret: 'discovery-secret' });
    expect(discoveryCalls.at(-1)).toEqual({ cloud: 'research-cloud', course: 'munge-c', iface: 'public' });
    expect(JSON.stringify(vars)).not.toContain('s3cret-Passw0rd');
    expect(JSON.stringify(vars)).not.toContain('teacher');
    expect(catalogs.at(-1)).toBe('research-cloud');
    expect({ identity: vars.prometheus_openstack_identity_endpoint, availability: vars.prometheus_openstack_availability }).toEqual({ identity: 'https://keystone.example.org:5000/v3', availability: 'public' });
    expect(() => statSync(join(c.dir, c.stateDir, 'pipeline', 'munge.key'))).toThrow();
  });

  it('on the rehearsal cloud, Prometheus is given the catalog\'s internal side: where the monitoring host reaches Keystone and Nova', async () => {
    const lines: string[] = [];
    const vars = await runVars(course({ id: 'rehearsal-a', workers: 0 }), { catalog: rehearsalCatalog, discoveryAuth, progress: (line) => lines.push(line) });
    expect({ identity: vars.prometheus_openstack_identity_endpoint, availability: vars.prometheus_openstack_availability }).toEqual({ identity: 'http://172.24.4.2:5000/v3', availability: 'internal' });
    expect(lines.join('\n')).toMatch(/internal endpoints \(the catalog's public endpoints are on this machine's loopback/);
  });
});
