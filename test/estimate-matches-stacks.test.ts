import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateConsumption, type Consumption } from '../src/course/estimate.js';
import { loadCourse, loadCourseText } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { synthCourse } from '../src/synth/synthesize.js';
import { courseYaml } from './helpers/course-yaml.js';

const scratch = mkdtempSync(join(tmpdir(), 'resops-estimate-stacks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** What the synthesized stacks would create, counted the way preflight counts it. */
function countSynthesized(course: Course): Omit<Consumption, 'vcpus' | 'ramMb'> & { vcpus?: never; ramMb?: never } {
  const result = synthCourse(course, join(scratch, course.id));
  // Logical ids repeat from one learner stack to the next, so resources are listed per stack.
  const all: Record<string, Array<Record<string, unknown>>> = {};
  for (const stack of result.stacks) {
    const json = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8')) as { resource?: Resources };
    for (const [type, byId] of Object.entries(json.resource ?? {})) (all[type] ??= []).push(...Object.values(byId));
  }
  const count = (type: string) => (all[type] ?? []).length;
  const volumes = all.openstack_blockstorage_volume_v3 ?? [];
  return {
    instances: count('openstack_compute_instance_v2'),
    volumes: volumes.length,
    volumeGb: volumes.reduce((sum, v) => sum + Number(v.size), 0),
    floatingIps: count('openstack_networking_floatingip_v2'),
    securityGroups: count('openstack_networking_secgroup_v2'),
    networks: count('openstack_networking_network_v2'),
    subnets: count('openstack_networking_subnet_v2'),
    routers: count('openstack_networking_router_v2'),
    ports: count('openstack_networking_port_v2'),
    routerInterfaces: count('openstack_networking_router_interface_v2'),
    objectContainers: count('openstack_objectstorage_container_v1'),
  };
}

describe('the preflight estimate counts exactly what the stacks create', () => {
  const courses: Record<string, () => Course> = {
    'the sample course': () => loadCourse('examples/course.yaml', { target: 'openstack' }),
    'object storage, 3 VMs each, no volumes': () =>
      loadCourseText(courseYaml({ id: 'objects', storage: 'object', vms: 3, volumeGb: 0, learners: 4 }), 'objects.yaml', scratch),
    'no monitoring, no pipeline': () => loadCourseText(courseYaml({ id: 'bare', monitoring: false, workers: 0 }), 'bare.yaml', scratch),
  };
  for (const [label, load] of Object.entries(courses)) {
    it(label, () => {
      const course = load();
      const { vcpus: _vcpus, ramMb: _ramMb, ...estimated } = estimateConsumption(course).total;
      expect(estimated).toEqual(countSynthesized(course));
    });
  }
});
