/**
 * The local target without Docker: layout (names, addresses, ports, isolation settings), the
 * generated Prometheus files, image context hashing, the tar used for putArchive, and the
 * convergence plan computed from labels.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCourseText } from '../src/course/load.js';
import { LABELS, type Course } from '../src/course/model.js';
import { TargetError } from '../src/targets/driver.js';
import { LOCAL_LABELS } from '../src/local/docker.js';
import { chainedHashes, readContext, resopsParent, type ImageContext, type ImageName } from '../src/local/images.js';
import { localLayout, monitoringSubnet, sshPort, vmAddress } from '../src/local/layout.js';
import { nodeTargets, prometheusConfig, ruleFiles, serviceFiles } from '../src/local/monitoring-files.js';
import { containerCreateOptions, networkCreateOptions, planChanges, type CourseObjects } from '../src/local/reconcile.js';
import { packTar, unpackTar } from '../src/local/tar.js';

const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFCVaYyRc7jp4c9ToavgICgR8SY3XAAt5aaM9TmGHuP a@x';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFoDnzBVrk4H8PqUFJoHlEzTtgpQLxMLn6HyOoX7PhE b@x';

function courseYaml(options: { monitoring?: boolean; bobVms?: number } = {}): string {
  return `
course: { id: t-layout, title: layout test }
target: local
cloud:
  name: c
  region: r
  external_network: public
  image: debian-12
  image_user: debian
  flavors:
    learner: { name: s, vcpus: 1, ram_mb: 1024 }
    monitoring: { name: m, vcpus: 1, ram_mb: 1024 }
    worker: { name: l, vcpus: 1, ram_mb: 1024 }
network: { cidr: 10.91.0.0/16, subnet_prefix: 24 }
learners:
  - { id: alice, name: A, ssh_public_key: "${KEY_A}", vms: 2 }
  - { id: bob, name: B, ssh_public_key: "${KEY_B}", vms: ${options.bobVms ?? 1} }
monitoring: { enabled: ${options.monitoring ?? true} }
pipeline: { workers: 0 }
local:
  ssh_port_base: 3200
  ports: { prometheus: 9190, pushgateway: 9191, alertmanager: 9193, gnocchi: 8141, swift: 8180 }
`;
}

const load = (text: string): Course => loadCourseText(text, 'course.yaml', tmpdir(), { target: 'local' });
const SECRETS = { dbPassword: 'abc123' };

describe('local layout', () => {
  const course = load(courseYaml());
  const layout = localLayout(course, SECRETS);

  it('names networks and containers as docs/topology.md says', () => {
    expect(layout.networks.map((n) => n.name)).toEqual(['t-layout-alice', 't-layout-bob', 't-layout-services', 't-layout-monitoring']);
    expect(layout.containers.map((c) => c.name)).toEqual([
      't-layout-alice-vm1', 't-layout-alice-vm2', 't-layout-bob-vm1',
      't-layout-postgres', 't-layout-gnocchi', 't-layout-prometheus', 't-layout-pushgateway', 't-layout-alertmanager',
    ]);
  });

  it('publishes SSH of learner i, VM j on ssh_port_base + i*10 + j, and the services on local.ports', () => {
    const port = (name: string) => layout.containers.find((c) => c.name === name)!.ports.map((p) => p.hostPort);
    expect(port('t-layout-alice-vm1')).toEqual([3201]);
    expect(port('t-layout-alice-vm2')).toEqual([3202]);
    expect(port('t-layout-bob-vm1')).toEqual([3211]);
    expect(port('t-layout-prometheus')).toEqual([9190]);
    expect(port('t-layout-gnocchi')).toEqual([8141]);
    expect(port('t-layout-postgres')).toEqual([]);
    expect(sshPort(course, course.learners[1]!, 3)).toBe(3213);
  });

  it('gives VMs fixed addresses in their learner subnet, which sshd binds to', () => {
    const vm = layout.containers.find((c) => c.name === 't-layout-bob-vm1')!;
    expect(course.learners[1]!.subnetCidr).toBe('10.91.2.0/24');
    expect(vm.attachments[0]).toMatchObject({ network: 't-layout-bob', ipv4: '10.91.2.2' });
    expect(vm.env.RESOPS_SSH_ADDR).toBe('10.91.2.2');
    expect(vmAddress(course.learners[0]!, 2)).toBe('10.91.1.3');
  });

  it('isolates learners: own network plus the internal monitoring network, NET_RAW dropped', () => {
    for (const vm of layout.containers.filter((c) => c.service === 'vm')) {
      expect(vm.attachments.map((a) => a.network)).toEqual([`t-layout-${vm.learner!.id}`, 't-layout-monitoring']);
      expect(vm.capDrop).toContain('NET_RAW');
      expect(vm.env.RESOPS_EXPORTER_ON_OTHER_NET).toBe('1');
    }
    const monitoring = layout.networks.find((n) => n.name === 't-layout-monitoring')!;
    expect(monitoring.internal).toBe(true);
    expect(monitoring.subnet).toBe('10.91.255.0/24');
    expect(layout.networks.find((n) => n.name === 't-layout-services')!.subnet).toBe('10.91.0.0/24');
    // Only Prometheus (it scrapes the VMs) is on the network the VMs share: a learner, root in
    // their VM, cannot push to the Pushgateway, write to Gnocchi or silence Alertmanager.
    const onShared = layout.containers.filter((c) => c.role === 'monitoring' && c.attachments.some((a) => a.network === 't-layout-monitoring'));
    expect(onShared.map((c) => c.name)).toEqual(['t-layout-prometheus']);
    for (const name of ['t-layout-postgres', 't-layout-alertmanager', 't-layout-pushgateway', 't-layout-gnocchi']) {
      expect(layout.containers.find((c) => c.name === name)!.attachments.map((a) => a.network)).toEqual(['t-layout-services']);
    }
  });

  it('leaves the monitoring subnet to Docker when every subnet of the course CIDR is taken', () => {
    const tight = { ...course, network: { ...course.network, cidr: '10.91.0.0/23' } };
    expect(monitoringSubnet(tight)).toBeUndefined();
    expect(monitoringSubnet(course)).toBe('10.91.255.0/24');
  });

  it('has no monitoring objects when monitoring is disabled; node-exporter stays on loopback', () => {
    const plain = localLayout(load(courseYaml({ monitoring: false })), SECRETS);
    expect(plain.networks.map((n) => n.name)).toEqual(['t-layout-alice', 't-layout-bob']);
    expect(plain.containers.every((c) => c.service === 'vm' && c.attachments.length === 1)).toBe(true);
    expect(plain.containers[0]!.env.RESOPS_EXPORTER_ON_OTHER_NET).toBe('0');
  });

  it('keeps the services network for pipeline workers when monitoring is disabled', () => {
    const text = courseYaml({ monitoring: false }).replace('pipeline: { workers: 0 }', 'pipeline: { workers: 2 }');
    const withWorkers = localLayout(load(text), SECRETS);
    expect(withWorkers.networks.map((n) => n.name)).toEqual(['t-layout-alice', 't-layout-bob', 't-layout-services']);
    expect(withWorkers.containers.every((c) => c.service === 'vm')).toBe(true);
  });

  it('refuses a course whose SSH ports run into a service port, naming both', () => {
    // The loader refuses this too; the layout must not rely on it (courses built in code).
    const clash = { ...course, local: { ...course.local, sshPortBase: 9180, ports: { ...course.local.ports, prometheus: 9191 } } };
    expect(() => localLayout(clash, SECRETS)).toThrow(TargetError);
    expect(() => localLayout(clash, SECRETS)).toThrow('127.0.0.1:9191 would serve both SSH of bob vm1 and Prometheus');
  });

  it('hands the indexer password to postgres and gnocchi only', () => {
    const withSecret = layout.containers.filter((c) => Object.values(c.env).some((v) => v.includes(SECRETS.dbPassword)));
    expect(withSecret.map((c) => c.service).sort()).toEqual(['gnocchi', 'postgres']);
  });

  it("hands Gnocchi's users to gnocchi only, admin first, every learner with their own password", () => {
    const users = { admin: 'A'.repeat(32), learners: { alice: 'B'.repeat(32), bob: 'C'.repeat(32) } };
    const withUsers = localLayout(course, { ...SECRETS, gnocchiUsers: users });
    const holders = withUsers.containers.filter((c) => Object.values(c.env).some((v) => v.includes(users.admin)));
    expect(holders.map((c) => c.service)).toEqual(['gnocchi']);
    expect(holders[0]!.env.GNOCCHI_USERS).toBe(`admin:${users.admin} alice:${users.learners.alice} bob:${users.learners.bob}`);
    // Without users Gnocchi gets none, and its image refuses to start rather than accept anyone.
    expect(layout.containers.find((c) => c.service === 'gnocchi')!.env.GNOCCHI_USERS).toBe('');
  });
});

describe('monitoring files', () => {
  const course = load(courseYaml());

  it('lists every learner VM as a node target with course, learner and vm labels', () => {
    expect(nodeTargets(course)).toEqual([
      { targets: ['t-layout-alice-vm1:9100'], labels: { course: 't-layout', learner: 'alice', vm: 'vm1' } },
      { targets: ['t-layout-alice-vm2:9100'], labels: { course: 't-layout', learner: 'alice', vm: 'vm2' } },
      { targets: ['t-layout-bob-vm1:9100'], labels: { course: 't-layout', learner: 'bob', vm: 'vm1' } },
    ]);
  });

  it('writes a prometheus.yml with the jobs the shared rules rely on', () => {
    const config = parse(prometheusConfig(course, { scrape_interval: '15s' }, { user: 'admin', password: 'pw' })) as {
      global: { external_labels: Record<string, string>; scrape_interval: string };
      scrape_configs: Array<{ job_name: string; file_sd_configs?: Array<{ files: string[] }> }>;
      rule_files: string[];
    };
    expect(config.global).toMatchObject({ scrape_interval: '15s', external_labels: { course: 't-layout' } });
    expect(config.scrape_configs.map((s) => s.job_name)).toEqual(['prometheus', 'node', 'pushgateway', 'alertmanager']);
    expect(config.scrape_configs[1]!.file_sd_configs![0]!.files).toEqual(['/etc/prometheus/file_sd/nodes.json']);
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
  });

  it('copies every rule file of monitoring/rules into Prometheus', () => {
    const files = serviceFiles(course, 'prometheus')!;
    const rules = ruleFiles();
    expect(rules.length).toBeGreaterThan(0);
    expect(files.files.filter((f) => f.path.startsWith('rules/')).map((f) => f.path)).toEqual(rules.map((r) => `rules/${r.name}`));
    for (const rule of rules) {
      const groups = (parse(rule.content) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups;
      expect(groups.flatMap((g) => g.rules).length).toBeGreaterThan(0);
    }
    expect(serviceFiles(course, 'postgres')).toBeUndefined();
  });
});

describe('image build contexts', () => {
  const root = mkdtempSync(join(tmpdir(), 'resops-contexts-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (image: string, file: string, content: string) => {
    mkdirSync(join(root, image), { recursive: true });
    writeFileSync(join(root, image, file), content);
  };

  it('finds the resops parent of a Dockerfile and rejects unknown ones', () => {
    expect(resopsParent('# x\nFROM resops/base\nRUN true\n')).toBe('base');
    expect(resopsParent('FROM debian:bookworm-slim\n')).toBeUndefined();
    expect(() => resopsParent('FROM resops/nope\n')).toThrow(/not one of the resops images/);
  });

  it('changes the hash when content or the executable bit changes, and cascades to children', async () => {
    write('base', 'Dockerfile', 'FROM debian:bookworm-slim\n');
    write('base', 'init.sh', 'echo hi\n');
    write('node', 'Dockerfile', 'FROM resops/base\n');
    const read = async () => {
      const contexts = new Map<ImageName, ImageContext>();
      for (const name of ['base', 'node'] as const) contexts.set(name, await readContext(name, root));
      return { contexts, hashes: chainedHashes(contexts) };
    };
    const first = await read();
    expect(first.contexts.get('node')!.parent).toBe('base');
    expect(first.contexts.get('base')!.files).toEqual(['Dockerfile', 'init.sh']);
    expect((await read()).hashes).toEqual(first.hashes);

    chmodSync(join(root, 'base', 'init.sh'), 0o755);
    const second = await read();
    expect(second.hashes.get('base')).not.toBe(first.hashes.get('base'));
    expect(second.hashes.get('node')).not.toBe(first.hashes.get('node'));
    expect(second.contexts.get('node')!.ownHash).toBe(first.contexts.get('node')!.ownHash);

    write('node', 'Dockerfile', 'FROM resops/base\nRUN true\n');
    const third = await read();
    expect(third.hashes.get('base')).toBe(second.hashes.get('base'));
    expect(third.hashes.get('node')).not.toBe(second.hashes.get('node'));
  });

  it('reports a missing build context as an expected failure', async () => {
    await expect(readContext('gnocchi', root)).rejects.toThrow(TargetError);
  });
});

describe('tar for putArchive', () => {
  it('round-trips files, long paths and binary content', () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file.yml`;
    const archive = packTar([
      { path: 'prometheus.yml', content: 'global: {}\n' },
      { path: 'rules/nodes.yml', content: 'groups: []\n', mode: 0o600 },
      { path: long, content: Buffer.from([0, 1, 2, 255]) },
    ]);
    expect(archive.length % 512).toBe(0);
    const files = unpackTar(archive);
    expect([...files.keys()]).toEqual(['prometheus.yml', 'rules/nodes.yml', long]);
    expect(files.get('rules/nodes.yml')!.toString()).toBe('groups: []\n');
    expect([...files.get(long)!]).toEqual([0, 1, 2, 255]);
  });
});

describe('tar as other tools write it', () => {
  it('reads PAX extended headers: long and non-ASCII paths from GNU tar --format=pax', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resops-pax-'));
    try {
      const long = `${'f'.repeat(70)}/${'g'.repeat(70)}/café-über.yml`;
      mkdirSync(join(dir, 'in', long, '..'), { recursive: true });
      writeFileSync(join(dir, 'in', long), 'résumé: ✓\n');
      writeFileSync(join(dir, 'in', 'short.txt'), 'short\n');
      const made = spawnSync('tar', ['--format=pax', '-cf', join(dir, 'a.tar'), '-C', join(dir, 'in'), 'short.txt', long]);
      expect(made.status, made.stderr?.toString()).toBe(0);
      const archive = readFileSync(join(dir, 'a.tar'));
      expect(archive.includes(Buffer.from(' path='))).toBe(true);
      const files = unpackTar(archive);
      expect([...files.keys()]).toEqual(['short.txt', long]);
      expect(files.get(long)!.toString('utf8')).toBe('résumé: ✓\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('convergence plan (labels of existing objects, no Docker)', () => {
  const course = load(courseYaml());
  const layout = localLayout(course, SECRETS);
  const imageIds = new Map<ImageName, string>(['node', 'postgres', 'gnocchi', 'prometheus', 'pushgateway', 'alertmanager'].map((n) => [n as ImageName, `sha256:${n}`]));

  // What Docker would list after a complete `up` of this layout.
  function existingAfterUp(): CourseObjects {
    return {
      networks: layout.networks.map((spec) => {
        const options = networkCreateOptions(course, spec);
        return { Name: spec.name, Id: `net-${spec.name}`, Labels: options.Labels } as unknown as Docker.NetworkInspectInfo;
      }),
      containers: layout.containers.map((spec) => {
        const options = containerCreateOptions(course, spec, imageIds.get(spec.image)!);
        return {
          Id: `id-${spec.name}`,
          Names: [`/${spec.name}`],
          Labels: options.Labels,
          State: 'running',
          Ports: [],
          NetworkSettings: { Networks: {} },
        } as unknown as Docker.ContainerInfo;
      }),
    };
  }

  it('keeps everything when nothing changed', () => {
    const plan = planChanges(course, layout, existingAfterUp(), imageIds);
    expect(plan.networks.every((n) => n.action === 'keep')).toBe(true);
    expect(plan.containers.every((c) => c.action === 'keep')).toBe(true);
    expect(plan.staleContainers).toEqual([]);
  });

  it('recreates the containers of a rebuilt image, starts stopped ones, creates missing ones', () => {
    const existing = existingAfterUp();
    existing.containers.find((c) => c.Names[0] === '/t-layout-bob-vm1')!.State = 'exited';
    existing.containers = existing.containers.filter((c) => c.Names[0] !== '/t-layout-gnocchi');
    const rebuilt = new Map(imageIds).set('prometheus', 'sha256:new');
    const plan = planChanges(course, layout, existing, rebuilt);
    const action = (name: string) => plan.containers.find((c) => c.spec.name === name)!.action;
    expect(action('t-layout-prometheus')).toBe('recreate');
    expect(action('t-layout-bob-vm1')).toBe('start');
    expect(action('t-layout-gnocchi')).toBe('create');
    expect(action('t-layout-alice-vm1')).toBe('keep');
  });

  it('removes what the course no longer has, but not objects of other roles', () => {
    const existing = existingAfterUp();
    const smaller = load(courseYaml({ bobVms: 1 }).replace(/  - \{ id: bob.*\n/, ''));
    // Workers belong to pipeline runs (src/pipeline), the toolbox to its caller: not stale for `up`.
    for (const [name, role] of [['t-layout-toolbox-run', 'toolbox'], ['t-layout-worker1', 'worker'], ['t-layout-swift', 'storage']]) {
      const other = { Id: name, Names: [`/${name}`], Labels: { [LABELS.course]: 't-layout', [LABELS.role]: role }, State: 'running', Ports: [] };
      existing.containers.push(other as unknown as Docker.ContainerInfo);
    }
    const plan = planChanges(smaller, localLayout(smaller, SECRETS), existing, imageIds);
    expect(plan.staleContainers.map((c) => c.Names[0])).toEqual(['/t-layout-bob-vm1']);
    expect(plan.staleNetworks.map((n) => n.Name)).toEqual(['t-layout-bob']);
  });

  it('recreates a network whose settings changed, and the containers on it', () => {
    const existing = existingAfterUp();
    const bobNet = existing.networks.find((n) => n.Name === 't-layout-bob')!;
    bobNet.Labels = { ...bobNet.Labels, [LOCAL_LABELS.specHash]: 'old' };
    const plan = planChanges(course, layout, existing, imageIds);
    expect(plan.networks.find((n) => n.spec.name === 't-layout-bob')!.action).toBe('recreate');
    expect(plan.containers.find((c) => c.spec.name === 't-layout-bob-vm1')).toMatchObject({ action: 'recreate', why: 'its network is recreated' });
    expect(plan.containers.find((c) => c.spec.name === 't-layout-alice-vm1')!.action).toBe('keep');
  });

  it('for one learner (up --learner): their machines as usual; the shared parts only when missing; other learners not at all', () => {
    const existing = existingAfterUp();
    // Everything has drifted: a rebuilt image, stopped and missing containers of every owner.
    existing.containers.find((c) => c.Names[0] === '/t-layout-alice-vm1')!.State = 'exited';
    existing.containers.find((c) => c.Names[0] === '/t-layout-bob-vm1')!.State = 'exited';
    existing.containers.find((c) => c.Names[0] === '/t-layout-alertmanager')!.State = 'exited';
    existing.containers = existing.containers.filter((c) => !['/t-layout-gnocchi', '/t-layout-alice-vm2'].includes(c.Names[0]!));
    const rebuilt = new Map(imageIds).set('prometheus', 'sha256:new').set('node', 'sha256:new');
    const aliceNet = existing.networks.find((n) => n.Name === 't-layout-alice')!;
    aliceNet.Labels = { ...aliceNet.Labels, [LOCAL_LABELS.specHash]: 'old' };
    // A VM of alice's the course no longer lists, and one of bob's: only alice's is stale for her.
    for (const [name, learner] of [['t-layout-alice-vm9', 'alice'], ['t-layout-bob-vm9', 'bob']]) {
      existing.containers.push({ Id: name, Names: [`/${name}`], Labels: { [LABELS.course]: 't-layout', [LABELS.role]: 'learner', [LABELS.learner]: learner }, State: 'running', Ports: [] } as unknown as Docker.ContainerInfo);
    }

    const plan = planChanges(course, layout, existing, rebuilt, { learner: 'alice' });
    const actions = Object.fromEntries([...plan.networks.map((n) => [`network ${n.spec.name}`, n.action]), ...plan.containers.map((c) => [c.spec.name, c.action])]);
    expect(Object.keys(actions).filter((name) => name.includes('bob'))).toEqual([]);
    expect(actions).toMatchObject({
      'network t-layout-alice': 'recreate',
      't-layout-alice-vm1': 'recreate',
      't-layout-alice-vm2': 'create',
      't-layout-gnocchi': 'create',
      't-layout-prometheus': 'keep',
      't-layout-alertmanager': 'keep',
    });
    expect(plan.staleContainers.map((c) => c.Names[0])).toEqual(['/t-layout-alice-vm9']);
    expect(plan.staleNetworks).toEqual([]);
    // Without a scope the same drift changes everything.
    const all = planChanges(course, layout, existing, rebuilt);
    expect(all.containers.find((c) => c.spec.name === 't-layout-prometheus')!.action).toBe('recreate');
    expect(all.containers.find((c) => c.spec.name === 't-layout-bob-vm1')!.action).toBe('recreate');
  });

  it('labels every object with the course, role and learner', () => {
    const vm = containerCreateOptions(course, layout.containers[0]!, 'sha256:node');
    expect(vm.Labels).toMatchObject({ [LABELS.course]: 't-layout', [LABELS.role]: 'learner', [LABELS.learner]: 'alice' });
    expect(vm.HostConfig!.PortBindings).toEqual({ '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '3201' }] });
    const net = networkCreateOptions(course, layout.networks[3]!);
    expect(net.Labels).toMatchObject({ [LABELS.course]: 't-layout', [LABELS.role]: 'monitoring' });
    expect(net.Internal).toBe(true);
  });
});
