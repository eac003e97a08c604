/**
 * The openstack side of `pipeline run` that needs no cloud: which S3 endpoint the servers are
 * given, which hosts form the cluster, and how each is reached (ssh's argv from the same
 * inventory `configure` uses), and the ledger of the runs' EC2 credentials. The SSH shell itself is run against a real sshd in
 * ansible-converge.test.ts; the whole run on the rehearsal cloud is recorded in the issue.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryFromTerraformOutputs } from '../src/ansible/inventory.js';
import { loadCourseText } from '../src/course/load.js';
import { shellQuote, splitShellWords, sshArgs } from '../src/pipeline/node-shell.js';
import { clusterHosts, s3EndpointForServers } from '../src/pipeline/openstack-cluster.js';
import { runCredential } from '../src/pipeline/run-credentials.js';
import { courseYaml } from './helpers/course-yaml.js';

function course(extra = '', options: Parameters<typeof courseYaml>[0] = {}) {
  const text = courseYaml({ id: 'pipe-os', workers: 3, storage: 'object', ...options }).replace('  dns_servers:', `${extra}  dns_servers:`);
  return loadCourseText(text, '/courses/pipe-os/course.yaml', '/courses/pipe-os');
}

const outputs = {
  learners: {},
  monitoring: { address: '172.24.4.50', fixed_ip: '10.42.0.5', id: 'aaaaaaaa-0000-4000-8000-000000000001' },
  pipeline: {
    container: 'pipe-os-pipeline',
    workers: [
      { name: 'pipe-os-worker1', fixed_ip: '10.42.0.11', id: 'aaaaaaaa-0000-4000-8000-000000000011' },
      { name: 'pipe-os-worker2', fixed_ip: '10.42.0.12', id: 'aaaaaaaa-0000-4000-8000-000000000012' },
      { name: 'pipe-os-worker3', fixed_ip: '10.42.0.13', id: 'aaaaaaaa-0000-4000-8000-000000000013' },
    ],
  },
};

describe('the S3 endpoint the servers get', () => {
  it('is cloud.s3_endpoint when set (a trailing slash dropped), else the catalog\'s object store origin', () => {
    expect(s3EndpointForServers(course('  s3_endpoint: http://172.24.4.2:8080/\n'), 'http://127.0.0.1:8080/v1/AUTH_x')).toBe('http://172.24.4.2:8080');
    expect(s3EndpointForServers(course(), 'https://object.example.org:8443/swift/v1/AUTH_abc')).toBe('https://object.example.org:8443');
  });

  it('refuses a loopback catalog address (the rehearsal cloud\'s), naming the field to set', () => {
    expect(() => s3EndpointForServers(course(), 'http://127.0.0.1:8080/v1/AUTH_x')).toThrow(/course\.yaml: cloud\.s3_endpoint is not set, and the catalog's object store \(http:\/\/127\.0\.0\.1:8080\) is on this machine's loopback/);
    expect(() => s3EndpointForServers(course(), undefined)).toThrow(/no object-store endpoint and cloud\.s3_endpoint is not set/);
  });

  it('is checked when the course is loaded: an endpoint with a path is refused with the field and line', () => {
    let error: unknown;
    try {
      course('  s3_endpoint: http://object.example.org:8080/v1/AUTH_x\n');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/course\.yaml:\d+:\d+ cloud\.s3_endpoint: .*is not an endpoint: write scheme, host and port only/);
  });
});

describe('the cluster of a run', () => {
  const c = course('', { adminKey: true });
  const inventory = inventoryFromTerraformOutputs(c, outputs, { keys: { default: '/keys/admin' }, knownHostsFile: '/state/known_hosts' });

  it('is the monitoring host and the first N workers, in Slurm\'s order', () => {
    const { head, workers } = clusterHosts(c, [...inventory.hosts].reverse(), 2);
    expect(head.name).toBe('pipe-os-monitoring');
    expect(workers.map((w) => [w.name, w.vars.resops_worker])).toEqual([
      ['pipe-os-worker1', 'worker1'],
      ['pipe-os-worker2', 'worker2'],
      ['pipe-os-worker3', 'worker3'],
    ]);
    expect(() => clusterHosts(c, inventory.hosts, 4)).toThrow('--workers 4: course pipe-os has 3 worker VMs deployed');
    expect(() => clusterHosts(c, inventory.hosts.filter((h) => h.group !== 'monitoring'), 1)).toThrow(/no monitoring host .* the pipeline's Slurm controller/);
  });

  it('reaches a worker as configure does: key, known hosts under its server ID, through the monitoring host', () => {
    const worker = inventory.hosts.find((h) => h.name === 'pipe-os-worker2')!;
    const args = sshArgs(worker);
    expect(args.at(-1)).toBe('debian@10.42.0.12');
    expect(args).toEqual(expect.arrayContaining(['BatchMode=yes', '-i', '/keys/admin', 'UserKnownHostsFile=/state/known_hosts', 'HostKeyAlias=aaaaaaaa-0000-4000-8000-000000000012']));
    // The jump is one argument, as ssh wants it, naming the monitoring host's own key alias.
    const proxy = args.find((a) => a.startsWith('ProxyCommand='))!;
    expect(proxy).toBe('ProxyCommand=ssh -W %h:%p -q -o UserKnownHostsFile=/state/known_hosts -o StrictHostKeyChecking=accept-new -o HostKeyAlias=aaaaaaaa-0000-4000-8000-000000000001 -i /keys/admin debian@172.24.4.50');
  });

  it('splits and quotes words as a shell would', () => {
    expect(splitShellWords(`-o A=b  -o ProxyCommand="ssh -W %h:%p x" 'single quoted' e""`)).toEqual(['-o', 'A=b', '-o', 'ProxyCommand=ssh -W %h:%p x', 'single quoted', 'e']);
    expect(() => splitShellWords('-o "open')).toThrow('unbalanced');
    expect(shellQuote('plain/path-1.txt')).toBe('plain/path-1.txt');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellQuote('')).toBe("''");
  });
});

describe('the runs\' EC2 credentials (a stand-in for Keystone\'s EC2 API: the real one is in the rehearsal-cloud suite)', () => {
  function keystone() {
    const live = new Map<string, string>();
    let n = 0;
    let failDeletes = false;
    return {
      live,
      failDeletes: (on: boolean) => (failDeletes = on),
      createEc2Credential: async () => {
        const access = `access-${++n}`;
        live.set(access, `secret-${n}-do-not-store`);
        return { access, secret: live.get(access)! };
      },
      deleteEc2Credential: async (_user: string, access: string) => {
        if (failDeletes) throw new Error('Keystone answered 503');
        live.delete(access);
      },
    };
  }

  it('writes down the live one (access id only), deletes what a killed run left, and crosses out a finished run\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resops-ec2-'));
    try {
      const file = join(dir, 'pipeline', 'ec2-credentials.json');
      const api = keystone();
      const killed = await runCredential(api, file, 'u1', 'p1', 'run-a');
      expect(killed.deletedLeftovers).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('access-1');
      expect(readFileSync(file, 'utf8')).not.toContain('secret');
      // run-a never calls forget (killed); run-b starts and cleans up after it.
      const next = await runCredential(api, file, 'u1', 'p1', 'run-b');
      expect(next.deletedLeftovers).toBe(1);
      expect([...api.live.keys()]).toEqual(['access-2']);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([{ access: 'access-2', userId: 'u1', run: 'run-b' }]);
      await next.forget();
      expect(api.live.size).toBe(0);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
      // A leftover Keystone will not delete now stays listed for the run after.
      await runCredential(api, file, 'u1', 'p1', 'run-c');
      api.failDeletes(true);
      const stuck = await runCredential(api, file, 'u1', 'p1', 'run-d');
      expect(stuck.deletedLeftovers).toBe(0);
      expect(JSON.parse(readFileSync(file, 'utf8')).map((e: { run: string }) => e.run)).toEqual(['run-c', 'run-d']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
