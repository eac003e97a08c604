/**
 * The openstack side of `pipeline run` that needs no cloud: which catalog interface and S3
 * endpoint the servers are given, which hosts form the cluster, and how each is reached (ssh's argv from the same
 * inventory `configure` uses), and the ledger of the runs' EC2 credentials. The SSH shell itself is run against a real sshd in
 * ansible-converge.test.ts; the whole run on the rehearsal cloud is recorded in the issue.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryFromTerraformOutputs } from '../src/ansible/inventory.js';
import { loadCourseText } from '../src/course/load.js';
import { shellQuote, splitShellWords, sshArgs, type NodeShell } from '../src/pipeline/node-shell.js';
import { serversEndpoints } from '../src/openstack/servers-endpoints.js';
import { checkShare, clusterHosts, s3EndpointForServers } from '../src/pipeline/openstack-cluster.js';
import type { CommandResult } from '../src/process/run-command.js';
import { TargetError } from '../src/targets/driver.js';
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

/** A catalog as the session reads it: service type → interface → URL. */
function catalog(entries: Record<string, Partial<Record<'public' | 'internal' | 'admin', string>>>, authUrl = entries.identity?.public ?? 'https://keystone.example.org:5000/v3') {
  return {
    config: { authUrl },
    catalogUrl: (kind: string, iface: 'public' | 'internal' | 'admin') => entries[kind]?.[iface],
  };
}

const researchCloud = catalog({
  identity: { public: 'https://keystone.example.org:5000', internal: 'http://10.0.0.5:5000' },
  'object-store': { public: 'https://object.example.org:8443/swift/v1/AUTH_abc', internal: 'http://10.0.0.6:8080/v1/AUTH_abc' },
});
const rehearsalCloud = catalog({
  identity: { public: 'http://127.0.0.1:5000/v3', internal: 'http://172.24.4.2:5000/v3', admin: 'http://127.0.0.1:5000/v3' },
  'object-store': { public: 'http://127.0.0.1:8080/v1/AUTH_x', internal: 'http://172.24.4.2:8080/v1/AUTH_x', admin: 'http://127.0.0.1:8080/v1/AUTH_x' },
});
/** What the instructor reads: the message, then the hint. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return `${(error as Error).message}\nhint: ${(error as TargetError).hint ?? ''}`;
  }
  return 'not refused';
}

const loopbackOnly = catalog({ identity: { public: 'http://127.0.0.1:5000/v3', internal: 'http://127.0.0.1:5000/v3' }, 'object-store': { public: 'http://127.0.0.1:8080/v1/AUTH_x' } });

describe('where the servers reach the cloud\'s APIs (cloud.servers_interface)', () => {
  it('a research cloud: the public endpoints, Keystone with its version', () => {
    expect(serversEndpoints(course(), researchCloud)).toEqual({ interface: 'public', identity: 'https://keystone.example.org:5000/v3', objectStoreOrigin: 'https://object.example.org:8443', reason: 'the default' });
  });

  it('the rehearsal cloud (public on this machine\'s loopback): the internal ones, saying why', () => {
    expect(serversEndpoints(course(), rehearsalCloud)).toEqual({
      interface: 'internal',
      identity: 'http://172.24.4.2:5000/v3',
      objectStoreOrigin: 'http://172.24.4.2:8080',
      reason: 'the catalog\'s public endpoints are on this machine\'s loopback, http://127.0.0.1:5000',
    });
  });

  it('the course\'s field wins, and a choice the servers cannot reach is refused with the ones they can', () => {
    expect(serversEndpoints(course('  servers_interface: internal\n'), researchCloud)).toMatchObject({ interface: 'internal', identity: 'http://10.0.0.5:5000/v3', reason: 'cloud.servers_interface' });
    expect(refusal(() => serversEndpoints(course('  servers_interface: public\n'), rehearsalCloud))).toMatch(
      /course\.yaml: cloud\.servers_interface is public \(cloud\.servers_interface\), and the catalog's public identity endpoint http:\/\/127\.0\.0\.1:5000 is on this machine's loopback[^]*set cloud\.servers_interface to internal,/,
    );
    expect(refusal(() => serversEndpoints(course('  servers_interface: admin\n'), researchCloud))).toMatch(/has no admin identity endpoint[^]*set cloud\.servers_interface to public or internal/);
  });

  it('a catalog with nothing but loopback addresses is refused, not guessed', () => {
    expect(refusal(() => serversEndpoints(course(), loopbackOnly))).toMatch(/public identity endpoint http:\/\/127\.0\.0\.1:5000 is on this machine's loopback[^]*names no address the servers can reach/);
  });

  it('a course value that is not an interface is refused when the course is loaded', () => {
    expect(() => course('  servers_interface: private\n')).toThrow(/servers_interface[^]*private/);
  });
});

describe('the S3 endpoint the servers get', () => {
  it('is cloud.s3_endpoint when set (a trailing slash dropped), without asking the catalog; else the catalog\'s object store at the servers\' interface', () => {
    const unasked = () => {
      throw new Error('the catalog was asked');
    };
    expect(s3EndpointForServers(course('  s3_endpoint: http://172.24.4.2:8080/\n'), unasked)).toBe('http://172.24.4.2:8080');
    expect(s3EndpointForServers(course(), () => serversEndpoints(course(), researchCloud))).toBe('https://object.example.org:8443');
    expect(s3EndpointForServers(course(), () => serversEndpoints(course(), rehearsalCloud))).toBe('http://172.24.4.2:8080');
  });

  it('refuses a loopback object store and a catalog without one, naming the fields to set', () => {
    const oddCloud = catalog({ identity: { public: 'https://keystone.example.org:5000/v3' }, 'object-store': { public: 'http://127.0.0.1:8080/v1/AUTH_x' } });
    expect(refusal(() => s3EndpointForServers(course(), () => serversEndpoints(course(), oddCloud)))).toMatch(/course\.yaml: cloud\.s3_endpoint is not set, and the catalog's public object store \(http:\/\/127\.0\.0\.1:8080\) is on this machine's loopback[^]*cloud\.servers_interface/);
    const noSwift = catalog({ identity: { public: 'https://keystone.example.org:5000/v3' } });
    expect(refusal(() => s3EndpointForServers(course(), () => serversEndpoints(course(), noSwift)))).toMatch(/no public object-store endpoint \(public: the default\) and cloud\.s3_endpoint is not set/);
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

/**
 * Stand-in machines for the share check (the real ones, sshfs between server containers, are in
 * the rehearsal-cloud run recorded in the issue): each node has what findmnt prints for /data and
 * the directory it sees there, shared between nodes that mount the same thing.
 */
function machines(nodes: Record<string, { mount?: string; dir: Map<string, string> }>): NodeShell {
  const result = (code: number, stdout: string, stderr = ''): CommandResult => ({ command: 'stand-in', code, end: { kind: 'exit', code }, stdout, stderr, tail: [] });
  const ok = (stdout: string) => result(0, stdout);
  return {
    async run(node, cmd) {
      const machine = nodes[node]!;
      if (cmd[0] === 'findmnt') return machine.mount ? ok(`${machine.mount}\n`) : result(1, '');
      if (cmd[0] === 'sh') {
        const m = /^printf %s '?([^' ]*)'? > '?([^' ]*)'?$/.exec(cmd[2]!);
        if (!m) throw new Error(`unexpected script ${cmd[2]}`);
        machine.dir.set(m[2]!, m[1]!);
        return ok('');
      }
      if (cmd[0] === 'cat') return machine.dir.has(cmd[1]!) ? ok(machine.dir.get(cmd[1]!)!) : result(1, '', 'No such file');
      if (cmd[0] === 'rm') {
        machine.dir.delete(cmd[2]!);
        return ok('');
      }
      throw new Error(`unexpected command ${cmd.join(' ')}`);
    },
    files: async () => new Map(),
    howTo: (node, command) => `ssh ${node} sudo ${command}`,
  };
}

describe('the lift-and-shift share, checked before a run (stand-in machines)', () => {
  const SHARE = 'fuse.sshfs resops-share@10.42.0.11:/srv/pipeline';
  const fix = /resops configure \/courses\/pipe-os\/course\.yaml.*pipeline_share/;

  it('passes when the head and every worker mount the same share and read what the head wrote; the marker is removed', async () => {
    const shared = new Map<string, string>();
    const shell = machines({ head: { mount: SHARE, dir: shared }, w1: { mount: SHARE, dir: shared }, w2: { mount: SHARE, dir: shared } });
    await expect(checkShare(shell, course(), 'head', ['w1', 'w2'], 'run-1')).resolves.toBe('resops-share@10.42.0.11:/srv/pipeline');
    expect(shared.size).toBe(0);
  });

  it('refuses a worker with nothing mounted, another file system, or another source, naming the node', async () => {
    const shared = new Map<string, string>();
    for (const [w2, says] of [
      [{ dir: new Map<string, string>() }, 'w2: /data is not the pipeline\'s shared directory (nothing is mounted there)'],
      [{ mount: 'ext4 /dev/vdb', dir: new Map<string, string>() }, 'w2: /data is not the pipeline\'s shared directory (ext4 /dev/vdb)'],
      [{ mount: 'fuse.sshfs resops-share@10.42.0.99:/srv/pipeline', dir: new Map<string, string>() }, 'w2: /data is resops-share@10.42.0.99:/srv/pipeline, not resops-share@10.42.0.11:/srv/pipeline as on head'],
    ] as const) {
      const shell = machines({ head: { mount: SHARE, dir: shared }, w1: { mount: SHARE, dir: shared }, w2 });
      const error = await checkShare(shell, course(), 'head', ['w1', 'w2'], 'run-2').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetError);
      expect((error as TargetError).message).toBe(says);
      expect((error as TargetError).hint).toMatch(fix);
    }
  });

  it('refuses a worker that shows the right mount line but not the head\'s files (a stale or look-alike mount)', async () => {
    const shared = new Map<string, string>();
    const shell = machines({ head: { mount: SHARE, dir: shared }, w1: { mount: SHARE, dir: new Map() } });
    const error = await checkShare(shell, course(), 'head', ['w1'], 'run-3').catch((e: unknown) => e);
    expect((error as TargetError).message).toBe('w1: a file head wrote to /data is missing here, so /data is not the same directory');
    expect(shared.size).toBe(0);
  });
});
