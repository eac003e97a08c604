import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCourseText } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { adminAccess } from '../src/access/admin-access.js';
import { synthCourse, type SynthResult } from '../src/synth/synthesize.js';
import { buildCourseApp } from '../stacks/course-app.js';
import { estimateConsumption } from '../src/course/estimate.js';
import {
  BlockstorageVolumeV3,
  NetworkingSecgroupRuleV2,
  ObjectstorageContainerV1,
  OpenstackProvider,
} from '../stacks/constructs/openstack.js';
import { courseYaml, type CourseYamlOptions } from './helpers/course-yaml.js';
import { TYPES_WITH_METADATA, TYPES_WITH_TAGS } from './helpers/metadata-types.js';

type Json = Record<string, unknown>;
type Resources = Record<string, Record<string, Json>>;

const scratch = mkdtempSync(join(tmpdir(), 'resops-synth-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
function course(options: CourseYamlOptions = {}): Course {
  return loadCourseText(courseYaml(options), 'course.yaml', scratch);
}

function synth(c: Course): { result: SynthResult; stacks: Map<string, Json> } {
  const outDir = join(scratch, `out-${++counter}`);
  const result = synthCourse(c, outDir);
  const stacks = new Map<string, Json>();
  for (const stack of result.stacks) {
    stacks.set(stack.name, JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8')) as Json);
  }
  return { result, stacks };
}

function resourcesOf(stack: Json): Resources {
  return (stack.resource ?? {}) as Resources;
}

function allResources(stacks: Map<string, Json>): Array<{ stack: string; type: string; id: string; body: Json }> {
  const list: Array<{ stack: string; type: string; id: string; body: Json }> = [];
  for (const [stack, json] of stacks) {
    for (const [type, byId] of Object.entries(resourcesOf(json))) {
      for (const [id, body] of Object.entries(byId)) list.push({ stack, type, id, body });
    }
  }
  return list;
}

describe('course stacks', () => {
  const sample = course({ id: 'demo', learners: 3, workers: 2, storage: 'volume' });
  const { result, stacks } = synth(sample);
  const resources = allResources(stacks);

  it('synthesizes a network stack, one stack per learner, monitoring and pipeline, in dependency order', () => {
    expect(result.stacks.map((s) => [s.name, s.kind, s.dependsOn])).toEqual([
      ['demo-network', 'network', []],
      ['demo-learner-learner1', 'learner', ['demo-network']],
      ['demo-learner-learner2', 'learner', ['demo-network']],
      ['demo-learner-learner3', 'learner', ['demo-network']],
      ['demo-monitoring', 'monitoring', ['demo-network']],
      ['demo-pipeline', 'pipeline', ['demo-network']],
    ]);
    const manifest = JSON.parse(readFileSync(join(result.outDir, 'manifest.json'), 'utf8')) as Json;
    expect(Object.keys(manifest.stacks as Json).sort()).toEqual(result.stacks.map((s) => s.name).sort());
  });

  it('puts the course metadata on every resource that takes metadata, and the tags on every one that takes tags', () => {
    let checked = 0;
    for (const { type, id, body } of resources) {
      if (TYPES_WITH_METADATA.includes(type)) {
        expect(body.metadata, `${type}.${id}`).toMatchObject({ 'resops-course': 'demo', 'resops-expires': '2026-12-07T00:00:00Z', 'resops-expiry-action': 'stop' });
        checked++;
      }
      if (TYPES_WITH_TAGS.includes(type)) {
        expect(body.tags, `${type}.${id}`).toContain('resops-course=demo');
        // The end of course.end (2026-12-05) plus the default grace of 24 h: reap --cloud reads these.
        expect(body.tags, `${type}.${id}`).toEqual(expect.arrayContaining(['resops-expires=2026-12-07T00:00:00Z', 'resops-expiry-action=stop']));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    const learnerServer = resources.find((r) => r.type === 'openstack_compute_instance_v2' && r.body.name === 'demo-learner2-vm1');
    expect(learnerServer?.body.metadata).toEqual({ 'resops-course': 'demo', 'resops-learner': 'learner2', 'resops-role': 'learner', 'resops-expires': '2026-12-07T00:00:00Z', 'resops-expiry-action': 'stop' });
  });

  it('names every resource with the course prefix, uniquely per type', () => {
    const names = new Map<string, Set<string>>();
    for (const { type, id, body } of resources) {
      if (typeof body.name !== 'string') continue;
      expect(body.name, `${type}.${id}`).toMatch(/^demo-/);
      const seen = names.get(type) ?? new Set<string>();
      expect(seen.has(body.name), `${type} ${body.name} twice`).toBe(false);
      seen.add(body.name);
      names.set(type, seen);
    }
    expect([...(names.get('openstack_compute_instance_v2') ?? [])].sort()).toEqual([
      'demo-learner1-vm1',
      'demo-learner2-vm1',
      'demo-learner3-vm1',
      'demo-monitoring',
      'demo-worker1',
      'demo-worker2',
    ]);
  });

  it('is deterministic: synthesizing the same course twice gives the same JSON', () => {
    const again = synth(course({ id: 'demo', learners: 3, workers: 2, storage: 'volume' }));
    for (const [name, json] of stacks) {
      const strip = (j: Json) => JSON.stringify(j).replaceAll(/out-\d+/g, 'out');
      expect(strip(again.stacks.get(name) ?? {}), name).toBe(strip(json));
    }
  });

  it('gives each learner their own subnet, keypair and security group', () => {
    for (const learner of sample.learners) {
      const stack = stacks.get(`demo-learner-${learner.id}`);
      expect(stack).toBeDefined();
      const r = resourcesOf(stack ?? {});
      const subnets = Object.values(r.openstack_networking_subnet_v2 ?? {});
      expect(subnets.map((s) => [s.name, s.cidr])).toEqual([[`demo-${learner.id}-subnet`, learner.subnetCidr]]);
      const keypairs = Object.values(r.openstack_compute_keypair_v2 ?? {});
      expect(keypairs.map((k) => [k.name, k.public_key])).toEqual([[`demo-${learner.id}-key`, learner.sshPublicKey]]);
      const groups = Object.entries(r.openstack_networking_secgroup_v2 ?? {});
      expect(groups.map(([, g]) => g.name)).toEqual([`demo-${learner.id}`]);
      // The learner's own group admits its own members only.
      const rules = Object.values(r.openstack_networking_secgroup_rule_v2 ?? {});
      const ownGroupRef = `\${openstack_networking_secgroup_v2.${groups[0][0]}.id}`;
      expect(rules).toEqual([expect.objectContaining({ security_group_id: ownGroupRef, remote_group_id: ownGroupRef, direction: 'ingress' })]);
      // Every VM port is in the learner's own group, and in no other learner's.
      for (const port of Object.values(r.openstack_networking_port_v2 ?? {})) {
        expect(port.security_group_ids).toContain(ownGroupRef);
      }
      const servers = Object.values(r.openstack_compute_instance_v2 ?? {});
      expect(servers.map((s) => s.user_data as string).every((u) => u.includes(`name: ${learner.id}`) && u.includes(learner.sshPublicKey))).toBe(true);
      // A learner VM redeployed from code is scraped before anyone configures it again.
      expect(servers.map((s) => (parse(String(s.user_data).replace(/^#cloud-config\n/, '')) as { runcmd: string[][] }).runcmd)).toEqual(servers.map(() => [['apt-get', 'install', '-y', '--no-install-recommends', 'prometheus-node-exporter']]));
    }
    const cidrs = sample.learners.map((l) => l.subnetCidr);
    expect(new Set([...cidrs, sample.network.servicesSubnet]).size).toBe(cidrs.length + 1);
  });

  it('keeps state in a relative path under the course state directory, never an absolute path of this machine', () => {
    for (const [name, json] of stacks) {
      const backend = (json.terraform as Json).backend as { local: { path: string } };
      expect(isAbsolute(backend.local.path), name).toBe(false);
      expect(backend.local.path).toBe(`../../../.resops/demo/terraform/${name}.tfstate`);
      expect(JSON.stringify(json)).not.toContain(scratch);
    }
  });

  it('configures the provider by clouds.yaml cloud name only, pinned to ~> 3.0', () => {
    for (const [, json] of stacks) {
      const provider = (json.provider as { openstack: Json[] }).openstack;
      expect(provider).toEqual([{ cloud: 'research-cloud', region: 'RegionOne' }]);
      expect((json.terraform as Json).required_providers).toEqual({
        openstack: { source: 'terraform-provider-openstack/openstack', version: '~> 3.0' },
      });
    }
  });

  it('contains no password, private key or token', () => {
    const text = [...stacks.values()].map((json) => JSON.stringify(json)).join('\n');
    expect(text).not.toMatch(/PRIVATE KEY|password|admin_pass|application_credential|"token"/i);
    for (const file of readdirSync(result.outDir, { recursive: true }) as string[]) {
      if (!file.endsWith('.json')) continue;
      expect(readFileSync(join(result.outDir, file), 'utf8')).not.toMatch(/PRIVATE KEY|password/i);
    }
  });
});

describe('security groups', () => {
  function ingressRules(stacks: Map<string, Json>): Json[] {
    return allResources(stacks)
      .filter((r) => r.type === 'openstack_networking_secgroup_rule_v2')
      .map((r) => r.body);
  }

  it('never opens anything to 0.0.0.0/0 unless the course file says so, and every rule names its source', () => {
    const { stacks } = synth(course({ id: 'closed', sshAllowedCidrs: ['192.0.2.0/24'] }));
    const rules = ingressRules(stacks);
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      expect(rule.remote_ip_prefix === undefined && rule.remote_group_id === undefined, JSON.stringify(rule)).toBe(false);
      expect(rule.remote_ip_prefix).not.toBe('0.0.0.0/0');
    }
    const ssh = rules.filter((r) => r.port_range_min === 22);
    expect(ssh.filter((r) => r.remote_ip_prefix !== undefined).map((r) => r.remote_ip_prefix)).toEqual(['192.0.2.0/24']);
    // Besides: the workers' jump host, by its security group (no address from outside).
    expect(ssh.filter((r) => r.remote_ip_prefix === undefined).map((r) => String(r.remote_group_id))).toEqual([expect.stringContaining('monitoring-source')]);
  });

  it('with no allowed CIDRs, SSH has no rule from any address: only the workers\' jump host, by its group', () => {
    const { stacks } = synth(course({ id: 'nossh', sshAllowedCidrs: [] }));
    const ssh = ingressRules(stacks).filter((r) => r.port_range_min === 22);
    expect(ssh.filter((r) => r.remote_ip_prefix !== undefined)).toEqual([]);
    expect(ssh).toHaveLength(1);
    const without = synth(course({ id: 'nossh2', sshAllowedCidrs: [], workers: 0 }));
    expect(ingressRules(without.stacks).filter((r) => r.port_range_min === 22)).toEqual([]);
  });

  it('opens SSH to the world only when 0.0.0.0/0 is written (with allow_world)', () => {
    const { stacks } = synth(course({ id: 'open', sshAllowedCidrs: ['0.0.0.0/0'] }));
    const world = ingressRules(stacks).filter((r) => r.remote_ip_prefix === '0.0.0.0/0');
    expect(world.some((r) => r.port_range_min === 22)).toBe(true);
  });

  it("attack: a learner VM pushes to the Pushgateway or writes to Gnocchi: no rule admits the course network to any monitoring service", () => {
    const c = course({ id: 'dash', sshAllowedCidrs: ['192.0.2.0/24'], dashboardAllowedCidrs: ['198.51.100.0/24'] });
    const { monitoring } = buildCourseApp(c, join(scratch, `matchers-${++counter}`));
    const rules = Object.values(resourcesOf(JSON.parse(Testing.synth(monitoring!)) as Json).openstack_networking_secgroup_rule_v2 ?? {}) as Json[];
    const services = [9090, 9091, 9093, 8041];
    const byPort = (port: number) => rules.filter((r) => r.port_range_min === port).map((r) => r.remote_ip_prefix ?? r.remote_group_id);
    // Dashboards from their own list only, never from the SSH list or the course network.
    for (const port of [9090, 9093, 8041]) expect(byPort(port), String(port)).toEqual(['198.51.100.0/24']);
    // The Pushgateway from nowhere: the toolkit pushes through SSH.
    expect(byPort(9091)).toEqual([]);
    expect(rules.filter((r) => services.includes(Number(r.port_range_min)) && [c.network.cidr, c.network.servicesSubnet].includes(String(r.remote_ip_prefix)))).toEqual([]);
    // Without the list, no dashboard is open to anyone.
    const closed = buildCourseApp(course({ id: 'nodash' }), join(scratch, `matchers-${++counter}`));
    const closedRules = Object.values(resourcesOf(JSON.parse(Testing.synth(closed.monitoring!)) as Json).openstack_networking_secgroup_rule_v2 ?? {}) as Json[];
    expect(closedRules.filter((r) => services.includes(Number(r.port_range_min)))).toEqual([]);
  });

  it('attack: a learner forges another port\'s address: every port of the course has port security on explicitly', () => {
    const { stacks } = synth(course({ id: 'portsec' }));
    const ports = allResources(stacks).filter((r) => r.type === 'openstack_networking_port_v2');
    // One per server: learner VMs, the monitoring host, the workers.
    const servers = allResources(stacks).filter((r) => r.type === 'openstack_compute_instance_v2');
    expect(servers.length).toBeGreaterThan(3);
    expect(ports).toHaveLength(servers.length);
    for (const port of ports) expect(port.body.port_security_enabled, JSON.stringify(port.body.name)).toBe(true);
  });

  it('lets only the monitoring host reach node-exporter', () => {
    const c = course({ id: 'scrape' });
    const { network, monitoring } = buildCourseApp(c, join(scratch, `matchers-${++counter}`));
    const networkJson = Testing.synth(network);
    expect(networkJson).toHaveResourceWithProperties(NetworkingSecgroupRuleV2, {
      protocol: 'tcp',
      port_range_min: 9100,
      port_range_max: 9100,
      remote_group_id: `\${openstack_networking_secgroup_v2.${network.getLogicalId(network.securityGroups.monitoringSource)}.id}`,
    });
    expect(networkJson).toHaveProviderWithProperties(OpenstackProvider, { cloud: 'research-cloud' });
    const monitoringJson = Testing.synth(monitoring!);
    const ports = Object.values(resourcesOf(JSON.parse(monitoringJson) as Json).openstack_networking_port_v2 ?? {});
    expect(ports).toHaveLength(1);
    expect(JSON.stringify(ports[0].security_group_ids)).toContain('monitoring-source');
  });

  it('opens SSH (jump host) and Slurm between the monitoring host and the workers only, and only when there are workers', () => {
    const rulesOf = (json: string) => Object.values(resourcesOf(JSON.parse(json) as Json).openstack_networking_secgroup_rule_v2 ?? {}) as Json[];
    const c = course({ id: 'slurm' });
    const { network, monitoring, pipeline } = buildCourseApp(c, join(scratch, `matchers-${++counter}`));
    // SSH too: the monitoring host is the jump host of workers, which have no floating IP.
    const sshFromJump = rulesOf(Testing.synth(pipeline!)).filter((r) => r.port_range_min === 22);
    expect(sshFromJump).toEqual([
      expect.objectContaining({ remote_group_id: `\${openstack_networking_secgroup_v2.${network.getLogicalId(network.securityGroups.monitoringSource)}.id}` }),
    ]);
    const slurmd = rulesOf(Testing.synth(pipeline!)).filter((r) => r.port_range_min === 6818);
    expect(slurmd).toHaveLength(1);
    expect(slurmd[0]).toMatchObject({
      protocol: 'tcp',
      port_range_max: 6818,
      remote_group_id: `\${openstack_networking_secgroup_v2.${network.getLogicalId(network.securityGroups.monitoringSource)}.id}`,
    });
    expect(slurmd[0]!.remote_ip_prefix).toBeUndefined();
    const slurmctld = rulesOf(Testing.synth(monitoring!)).filter((r) => r.port_range_min === 6817);
    // The workers' subnet, not the course's: learner VMs have no business with the controller.
    expect(slurmctld).toEqual([expect.objectContaining({ protocol: 'tcp', port_range_max: 6817, remote_ip_prefix: c.network.servicesSubnet })]);
    expect(c.network.servicesSubnet).not.toBe(c.network.cidr);

    const without = buildCourseApp(course({ id: 'noslurm', workers: 0 }), join(scratch, `matchers-${++counter}`));
    expect(rulesOf(Testing.synth(without.monitoring!)).filter((r) => r.port_range_min === 6817)).toEqual([]);
  });
});

describe('course sizes', () => {
  it('a 1-learner course has the network stack, one learner stack and nothing it did not ask for', () => {
    const { result } = synth(course({ id: 'solo', learners: 1, monitoring: false, workers: 0 }));
    expect(result.stacks.map((s) => s.name)).toEqual(['solo-network', 'solo-learner-learner1']);
  });

  it('a 100-learner course has 100 learner stacks with 100 distinct subnets', () => {
    const c = course({ id: 'big', learners: 100, workers: 0 });
    const { result, stacks } = synth(c);
    const learnerStacks = result.stacks.filter((s) => s.kind === 'learner');
    expect(learnerStacks).toHaveLength(100);
    const cidrs = new Set(
      allResources(stacks)
        .filter((r) => r.type === 'openstack_networking_subnet_v2')
        .map((r) => r.body.cidr as string),
    );
    expect(cidrs.size).toBe(101);
    expect(cidrs.has('10.42.100.0/24')).toBe(true);
  });

  it('learner VM count and volumes follow the course', () => {
    const { stacks } = synth(course({ id: 'vms', learners: 1, vms: 3, volumeGb: 0, monitoring: false, workers: 0 }));
    const r = resourcesOf(stacks.get('vms-learner-learner1') ?? {});
    expect(Object.keys(r.openstack_compute_instance_v2 ?? {})).toHaveLength(3);
    expect(Object.keys(r.openstack_networking_floatingip_v2 ?? {})).toHaveLength(3);
    expect(r.openstack_blockstorage_volume_v3).toBeUndefined();
  });
});

describe('pipeline storage variants', () => {
  it('volume (lift-and-shift): a shared volume attached to worker 1, no object container', () => {
    const c = course({ id: 'lift', workers: 3, storage: 'volume' });
    const { pipeline } = buildCourseApp(c, join(scratch, `matchers-${++counter}`));
    const json = Testing.synth(pipeline!);
    expect(json).toHaveResourceWithProperties(BlockstorageVolumeV3, { name: 'lift-pipeline-data', size: 50 });
    expect(json).not.toHaveResource(ObjectstorageContainerV1);
    const r = resourcesOf(JSON.parse(json) as Json);
    const attachments = Object.values(r.openstack_compute_volume_attach_v2 ?? {});
    expect(attachments).toHaveLength(1);
    expect(attachments[0].instance_id).toMatch(/openstack_compute_instance_v2\.pipeline_worker1_server_/);
    const workers = Object.values(r.openstack_compute_instance_v2 ?? {});
    expect(workers.map((w) => w.name)).toEqual(['lift-worker1', 'lift-worker2', 'lift-worker3']);
  });

  it('object (cloud-native): a Swift container with the course metadata, no shared volume', () => {
    const c = course({ id: 'native', workers: 3, storage: 'object' });
    const { pipeline } = buildCourseApp(c, join(scratch, `matchers-${++counter}`));
    const json = Testing.synth(pipeline!);
    expect(json).toHaveResourceWithProperties(ObjectstorageContainerV1, {
      name: 'native-pipeline',
      metadata: { 'resops-course': 'native', 'resops-role': 'worker', 'resops-expires': '2026-12-07T00:00:00Z', 'resops-expiry-action': 'stop' },
    });
    expect(json).not.toHaveResource(BlockstorageVolumeV3);
    // Workers are reached through the monitoring host: no floating IPs in the pipeline stack.
    expect(json).not.toContain('openstack_networking_floatingip_v2');
  });

  it('both (the porting exercise compares them): the shared volume on worker 1 and the Swift container; the estimate counts the two', () => {
    const c = course({ id: 'both', workers: 2, storage: 'both' });
    const { pipeline } = buildCourseApp(c, join(scratch, `matchers-${++counter}`));
    const json = Testing.synth(pipeline!);
    expect(json).toHaveResourceWithProperties(BlockstorageVolumeV3, { name: 'both-pipeline-data', size: 50 });
    expect(json).toHaveResourceWithProperties(ObjectstorageContainerV1, { name: 'both-pipeline' });
    const r = resourcesOf(JSON.parse(json) as Json);
    expect(Object.values(r.openstack_compute_volume_attach_v2 ?? {}).map((a) => a.instance_id)).toEqual([expect.stringMatching(/openstack_compute_instance_v2\.pipeline_worker1_server_/)]);
    const part = estimateConsumption(c).parts.find((p) => p.kind === 'pipeline')!.consumption;
    expect({ volumes: part.volumes, volumeGb: part.volumeGb, objectContainers: part.objectContainers }).toEqual({ volumes: 1, volumeGb: 50, objectContainers: 1 });
  });
});

describe('instructor access', () => {
  it('with admin_ssh_public_key: an admin keypair for monitoring and workers, and the key on every VM for the image user', () => {
    const c = course({ id: 'staffed', adminKey: true, storage: 'object' });
    const adminKey = c.cloud.adminSshPublicKey ?? '';
    expect(adminKey).toMatch(/^ssh-ed25519 /);
    const { stacks } = synth(c);
    const keypairs = Object.values(resourcesOf(stacks.get('staffed-network') ?? {}).openstack_compute_keypair_v2 ?? {});
    expect(keypairs.map((k) => [k.name, k.public_key])).toEqual([['staffed-admin', adminKey]]);
    for (const name of ['staffed-monitoring', 'staffed-pipeline']) {
      for (const server of Object.values(resourcesOf(stacks.get(name) ?? {}).openstack_compute_instance_v2 ?? {})) {
        expect(server.key_pair, `${name} ${String(server.name)}`).toMatch(/cross-stack-output-openstack_compute_keypair_v2/);
        expect(server.user_data).toContain(adminKey);
      }
    }
    const learnerServer = Object.values(resourcesOf(stacks.get('staffed-learner-learner1') ?? {}).openstack_compute_instance_v2 ?? {})[0];
    // The learner's own key is the VM's keypair; the admin key reaches the image user through cloud-init.
    expect(learnerServer.key_pair).toMatch(/openstack_compute_keypair_v2\.environment_keypair/);
    expect(learnerServer.user_data).toContain(adminKey);
  });

  it('without it, the course\'s automation key takes its place (its public half), so that configure can log in', () => {
    const c = course({ id: 'unstaffed' });
    const { stacks } = synth(c);
    const automation = adminAccess(c).publicKey;
    expect(automation).toMatch(/^ecdsa-sha2-nistp256 \S+ resops-automation@unstaffed$/);
    const keypairs = Object.values(resourcesOf(stacks.get('unstaffed-network') ?? {}).openstack_compute_keypair_v2 ?? {});
    expect(keypairs.map((k) => [k.name, k.public_key])).toEqual([['unstaffed-admin', automation]]);
    const monitoring = Object.values(resourcesOf(stacks.get('unstaffed-monitoring') ?? {}).openstack_compute_instance_v2 ?? {})[0];
    expect(monitoring.key_pair).toMatch(/cross-stack-output-openstack_compute_keypair_v2/);
    expect(monitoring.user_data).toContain(automation);
    expect(JSON.stringify([...stacks.values()])).not.toContain('PRIVATE KEY');
  });
});

describe('project-per-learner (accounts.mode)', () => {
  const c = loadCourseText(`${courseYaml({ id: 'ppl', learners: 2, workers: 1 })}accounts:\n  mode: project-per-learner\n`, 'course.yaml', scratch);
  const { stacks } = synth(c);
  const network = resourcesOf(stacks.get('ppl-network')!);

  it('the course network\'s stack holds each learner\'s subnet and router interface, and shares the network and the shared groups to their project only', () => {
    const subnets = Object.values(network.openstack_networking_subnet_v2 ?? {}).map((s) => [s.name, s.cidr]);
    expect(subnets).toEqual(expect.arrayContaining(c.learners.map((l) => [`ppl-subnet-of-${l.id}`, l.subnetCidr])));
    // Labelled as the network's: a learner's teardown (`down --learner`) leaves them with it.
    for (const subnet of Object.values(network.openstack_networking_subnet_v2 ?? {})) expect(JSON.stringify(subnet.tags)).not.toContain('resops-learner=');
    expect(Object.keys(network.openstack_networking_router_interface_v2 ?? {})).toHaveLength(1 + c.learners.length);
    const projects = ((stacks.get('ppl-network')!.data as Json).openstack_identity_project_v3 ?? {}) as Record<string, Json>;
    expect(Object.values(projects).map((p) => p.name).sort()).toEqual(c.learners.map((l) => `resops-ppl-${l.id}`).sort());
    const groups = network.openstack_networking_secgroup_v2 ?? {};
    const shared = Object.entries(groups).filter(([, g]) => ['ppl-ssh', 'ppl-icmp', 'ppl-scrape-target'].includes(g.name as string)).map(([id]) => `\${openstack_networking_secgroup_v2.${id}.id}`);
    expect(shared).toHaveLength(3);
    const policies = Object.values(network.openstack_networking_rbac_policy_v2 ?? {});
    for (const [id] of Object.entries(projects)) {
      const mine = policies.filter((p) => p.target_tenant === `\${data.openstack_identity_project_v3.${id}.id}`);
      expect(mine.every((p) => p.action === 'access_as_shared')).toBe(true);
      expect(mine.filter((p) => p.object_type === 'network')).toHaveLength(1);
      // The shared groups, and no other: not the monitoring host's, not the workers'.
      expect(mine.filter((p) => p.object_type === 'security_group').map((p) => p.object_id).sort()).toEqual([...shared].sort());
    }
    expect(policies).toHaveLength(c.learners.length * 4);
    expect(Object.values(network.openstack_networking_network_v2 ?? {}).map((n) => n.port_security_enabled)).toEqual([true]);
  });

  it('a learner\'s stack is applied with the learner\'s own credential and makes no subnet or router interface', () => {
    for (const learner of c.learners) {
      const json = stacks.get(`ppl-learner-${learner.id}`)!;
      expect((json.provider as { openstack: Json[] }).openstack).toEqual([{ cloud: 'resops-ppl', region: 'RegionOne' }]);
      const r = resourcesOf(json);
      expect(r.openstack_networking_subnet_v2).toBeUndefined();
      expect(r.openstack_networking_router_interface_v2).toBeUndefined();
      // Its ports are on the subnet the network's stack made for this learner; port security is
      // the network's (on), since Neutron lets only the network's owner set it per port.
      for (const port of Object.values(r.openstack_networking_port_v2 ?? {})) {
        expect(JSON.stringify(port.fixed_ip)).toMatch(/data\.terraform_remote_state\.[^.]+\.outputs\.[^}]*learner-/);
        expect(port.port_security_enabled).toBeUndefined();
      }
    }
    // The instructor's stacks keep the instructor's cloud.
    expect((stacks.get('ppl-network')!.provider as { openstack: Json[] }).openstack).toEqual([{ cloud: 'research-cloud', region: 'RegionOne' }]);
  });
});
