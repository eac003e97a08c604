/**
 * `project-per-learner` mode (issue #17): each learner's own Keystone project, `resops-<course>-
 * <learner>`, with quotas that fit exactly their lab, so a learner can neither see nor touch a
 * classmate's servers and cannot grow their lab past what the course planned. The course's network
 * and shared security groups reach the project through Neutron RBAC, which the lab network stack
 * declares (stacks/constructs/learner-project-access.ts). Projects need Keystone's admin role.
 */
import type { Course, Learner } from '../course/model.js';
import { ACCOUNT_NAMES } from '../course/naming.js';
import { estimateConsumption, type Consumption } from '../course/estimate.js';
import type { OpenStackClient } from '../openstack/client.js';
import type { Project } from '../openstack/identity.js';
import { courseProjects, identityLabel, identityLabelOf } from '../openstack/identity-leftovers.js';
import { listProjectHoldings } from '../openstack/leftovers.js';
import { TargetError } from '../targets/driver.js';

/** The learner's user has the same name (learner-accounts.ts): one name per learner in Keystone. */
export function learnerProjectName(course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>): string {
  return ACCOUNT_NAMES.learner(course, learner);
}

/** The label the leak check and reap find the project by (Keystone has no tags on every kind). */
export function learnerProjectDescription(course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>): string {
  return `${identityLabel(course.id)} learner=${learner.id}: a learner's project (resops accounts)`;
}

/** The quotas of one learner's project, by service, as each API names them. */
export interface LearnerQuotas {
  compute: { instances: number; cores: number; ram: number };
  network: { floatingip: number; port: number; security_group: number; network: number; subnet: number; router: number };
  volume: { volumes: number; gigabytes: number };
}

/**
 * Room for the stack the learner writes in exercise 01 (lab-exercises/01-iac: a server of the
 * learner flavor, its port, its security group `web` and a floating IP, on the course network),
 * which is made in their project beside their lab. No course stack makes it, so preflight's
 * estimate does not count it.
 */
export function exerciseRoom(course: Pick<Course, 'cloud'>): Pick<Consumption, 'instances' | 'vcpus' | 'ramMb' | 'floatingIps' | 'ports' | 'securityGroups'> {
  const flavor = course.cloud.flavors.learner;
  return { instances: 1, vcpus: flavor.vcpus, ramMb: flavor.ramMb, floatingIps: 1, ports: 1, securityGroups: 1 };
}

/**
 * Preflight's figures for the learner's part plus the room for their exercise stack, and nothing
 * for what the course's shared parts hold: their subnet and its router interface are the course
 * network's (the instructor's project), so the project may make no network, subnet or router of
 * its own. Neutron gives every project a `default` security group, which counts against the quota.
 */
export function learnerQuotas(course: Course, learner: Pick<Learner, 'id'>): LearnerQuotas {
  const part = estimateConsumption(course).parts.find((p) => p.kind === 'learner' && p.learnerId === learner.id);
  if (!part) throw new Error(`bug: no estimate for learner ${learner.id}`);
  const c: Consumption = part.consumption;
  const room = exerciseRoom(course);
  return {
    compute: { instances: c.instances + room.instances, cores: c.vcpus + room.vcpus, ram: c.ramMb + room.ramMb },
    network: { floatingip: c.floatingIps + room.floatingIps, port: c.ports + room.ports, security_group: c.securityGroups + room.securityGroups + 1, network: 0, subnet: 0, router: 0 },
    volume: { volumes: c.volumes, gigabytes: c.volumeGb },
  };
}

/**
 * The learner's project, made when missing. A project of that name that resops did not label for
 * this course is someone else's: it is refused, not adopted.
 */
export async function ensureLearnerProject(client: OpenStackClient, course: Course, learner: Learner): Promise<{ project: Project; made: boolean }> {
  const name = learnerProjectName(course, learner);
  const found = await client.identity.findProject(name);
  if (found) {
    if (identityLabelOf(found) !== course.id) {
      throw new TargetError(`cloud "${client.cloud}" already has a project ${name} that is not course ${course.id}'s (its description has no resops-course=${course.id})`, 'rename or delete that project, or give the course another id');
    }
    return { project: found, made: false };
  }
  return { project: await client.identity.createProject(name, learnerProjectDescription(course, learner)), made: true };
}

export async function setLearnerQuotas(client: OpenStackClient, projectId: string, quotas: LearnerQuotas): Promise<void> {
  await client.compute.updateQuota(projectId, quotas.compute);
  await client.network.updateQuota(projectId, quotas.network);
  await client.volume.updateQuota(projectId, quotas.volume);
}

/**
 * The course's learner projects that exist, by learner id: the leak check's listing of the course's
 * projects, those resops labelled only (an unlabelled namesake is not ours to delete).
 */
export async function learnerProjects(client: OpenStackClient, course: Course): Promise<Map<string, Project>> {
  const labelled = (await courseProjects(client, course.id)).filter((p) => p.matchedBy === 'label').map((p) => p.project);
  const found = new Map<string, Project>();
  for (const learner of course.learners) {
    const project = labelled.find((p) => p.name === learnerProjectName(course, learner));
    if (project) found.set(learner.id, project);
  }
  return found;
}

/**
 * What the project still holds of a lab: servers, volumes, floating IPs, ports and security groups
 * (Neutron's own `default` group aside). Keystone deletes a project without its resources, which
 * would then belong to no one the course knows: a project that holds anything is not deleted.
 */
export async function projectContents(client: OpenStackClient, projectId: string): Promise<string[]> {
  const { servers, volumes, floatingIps, ports, groups } = await listProjectHoldings(client, projectId);
  return [
    ...servers.map((s) => `server ${s.name}`),
    ...volumes.map((v) => `volume ${v.name || v.id}`),
    ...floatingIps.map((f) => `floating IP ${f.floating_ip_address}`),
    ...ports.filter((p) => !p.device_owner?.startsWith('compute:')).map((p) => `port ${p.name || p.id}`),
    ...groups.filter((g) => g.name !== 'default').map((g) => `security group ${g.name}`),
  ];
}
