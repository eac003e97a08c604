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

type Counted = Omit<Consumption, 'vcpus' | 'ramMb'>;

/** What each synthesized stack would create, counted the way preflight counts it, by stack name. */
function countSynthesized(course: Course): Map<string, Counted> {
  const result = synthCourse(course, join(scratch, course.id));
  const counted = new Map<string, Counted>();
  for (const stack of result.stacks) {
    const json = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8')) as { resource?: Resources };
    const all = Object.fromEntries(Object.entries(json.resource ?? {}).map(([type, byId]) => [type, Object.values(byId)]));
    const count = (type: string) => (all[type] ?? []).length;
    const volumes = all.openstack_blockstorage_volume_v3 ?? [];
    counted.set(stack.name, {
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
    });
  }
  return counted;
}

describe('the preflight estimate counts exactly what the stacks create', () => {
  const courses: Record<string, () => Course> = {
    'the sample course': () => loadCourse('examples/course.yaml', { target: 'openstack' }),
    'object storage, 3 VMs each, no volumes': () =>
      loadCourseText(courseYaml({ id: 'objects', storage: 'object', vms: 3, volumeGb: 0, learners: 4 }), 'objects.yaml', scratch),
    'no monitoring, no pipeline': () => loadCourseText(courseYaml({ id: 'bare', monitoring: false, workers: 0 }), 'bare.yaml', scratch),
    // Each part is what one project pays for: the learners' subnets are then the instructor's.
    'project-per-learner': () => loadCourseText(`${courseYaml({ id: 'ppl', learners: 3 })}accounts:\n  mode: project-per-learner\n`, 'ppl.yaml', scratch),
  };
  for (const [label, load] of Object.entries(courses)) {
    it(`${label}: stack by stack`, () => {
      const course = load();
      const estimated = new Map(estimateConsumption(course).parts.map((part) => {
        const { vcpus: _vcpus, ramMb: _ramMb, ...rest } = part.consumption;
        return [part.stack, rest];
      }));
      expect(Object.fromEntries(estimated)).toEqual(Object.fromEntries(countSynthesized(course)));
    });
  }
});
