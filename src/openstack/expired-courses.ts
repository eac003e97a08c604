import { EXPIRY_ACTIONS, METADATA, type ExpiryAction } from '../course/model.js';
import type { OpenStackClient } from './client.js';
import { courseLabel } from './ownership.js';

/**
 * Courses found in a project by their labels alone: which courses have resources there, when
 * each expires and what should happen then. `reap --cloud` works from this when nobody has the
 * course file any more (the instructor lost it, a colleague left a class running).
 */

export interface LabelledCourse {
  course: string;
  /** The latest expiry any of its resources carries; absent: none carries one (never expires). */
  expires?: string;
  /** `stop` as soon as one resource says so: the milder action wins when labels disagree. */
  action?: ExpiryAction;
  /** How many labelled resources were looked at (servers, networks, routers, security groups, volumes). */
  resources: number;
}

interface Labelled {
  tags?: string[];
  metadata?: Record<string, string>;
}

/** A label's value from metadata or a `key=value` Neutron tag. */
export function labelValue(resource: Labelled, key: string): string | undefined {
  const fromMetadata = resource.metadata?.[key];
  if (fromMetadata !== undefined) return fromMetadata;
  const tag = resource.tags?.find((t) => t.startsWith(`${key}=`));
  return tag === undefined ? undefined : tag.slice(key.length + 1);
}

/**
 * Groups labelled resources by course. When a course's resources disagree (a course end moved and
 * only some stacks were applied again), the latest expiry and the milder action are taken: reaping
 * a lab too late is a cost, reaping it too early loses a learner's work.
 */
export function courseExpiryLabels(resources: readonly Labelled[]): LabelledCourse[] {
  const courses = new Map<string, LabelledCourse>();
  for (const resource of resources) {
    const course = courseLabel(resource);
    if (course === undefined) continue;
    const entry = courses.get(course) ?? { course, resources: 0 };
    entry.resources += 1;
    const expires = labelValue(resource, METADATA.expires);
    if (expires !== undefined && !Number.isNaN(Date.parse(expires)) && (entry.expires === undefined || Date.parse(expires) > Date.parse(entry.expires))) {
      entry.expires = expires;
    }
    const action = labelValue(resource, METADATA.expiryAction);
    if (action !== undefined && (EXPIRY_ACTIONS as readonly string[]).includes(action)) {
      entry.action = entry.action === 'stop' || action === 'stop' ? 'stop' : 'destroy';
    }
    courses.set(course, entry);
  }
  return [...courses.values()].sort((a, b) => a.course.localeCompare(b.course));
}

/** Whether a labelled course is past its expiry at `now`; one without an expiry label never is. */
export function isExpired(course: LabelledCourse, now = new Date()): boolean {
  return course.expires !== undefined && Date.parse(course.expires) <= now.getTime();
}

/** Every course labelled in the project the client is scoped to. */
export async function findLabelledCourses(client: OpenStackClient): Promise<LabelledCourse[]> {
  const [servers, networks, routers, groups, volumes] = await Promise.all([
    client.compute.listServers(),
    client.network.listNetworks(),
    client.network.listRouters(),
    client.network.listSecurityGroups(),
    client.session.hasService('volume') ? client.volume.listVolumes() : Promise.resolve([]),
  ]);
  return courseExpiryLabels([...servers, ...networks, ...routers, ...groups, ...volumes]);
}
