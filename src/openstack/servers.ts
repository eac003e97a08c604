import { METADATA } from '../course/model.js';
import { courseProjects } from './identity-leftovers.js';
import { clientFor, type CloudRef } from './client.js';
import { belongsToCourse, courseLabel } from './ownership.js';

/** What `status --target openstack` shows per server of a course. */
export interface CourseServer {
  id: string;
  name: string;
  /** Nova status: ACTIVE, BUILD, ERROR, SHUTOFF… */
  status: string;
  /** Learner id from the `resops-learner` metadata (absent for monitoring and workers). */
  learner?: string;
  /** `resops-role` metadata: learner, monitoring, worker. */
  role?: string;
  /** Fixed addresses (`network=addr`) and floating addresses. */
  fixedAddresses: string[];
  floatingAddresses: string[];
  flavor: string;
  /** Nova's fault message when the server is in ERROR. */
  fault?: string;
}

/** The course's servers in the project (by metadata, or `<id>-` name prefix), sorted by name. */
export async function listCourseServers(cloud: CloudRef, courseId: string): Promise<CourseServer[]> {
  const client = await clientFor(cloud);
  // Project-per-learner: the learners' servers are in their own projects, which an admin lists too.
  const learnerProjects = await courseProjects(client, courseId);
  const servers = [
    ...(await client.compute.listServers()),
    ...(await Promise.all(learnerProjects.map(({ project }) => client.compute.listServers({ all_tenants: '1', project_id: project.id })))).flat(),
  ];
  const known = new Set(servers.map((s) => courseLabel(s)).filter((l): l is string => l !== undefined));
  return servers
    .filter((s) => belongsToCourse(courseId, s.name, courseLabel(s), known) !== undefined)
    .map((s) => ({
      id: s.id,
      name: s.name,
      status: s.status,
      ...(s.metadata[METADATA.learner] !== undefined ? { learner: s.metadata[METADATA.learner] } : {}),
      ...(s.metadata[METADATA.role] !== undefined ? { role: s.metadata[METADATA.role] } : {}),
      fixedAddresses: s.addresses.filter((a) => a.type !== 'floating').map((a) => `${a.network}=${a.addr}`),
      floatingAddresses: s.addresses.filter((a) => a.type === 'floating').map((a) => a.addr),
      flavor: s.flavor,
      ...(s.fault ? { fault: s.fault } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
