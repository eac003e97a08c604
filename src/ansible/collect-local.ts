/** The local target's inventory input: the course's VM containers, as Docker lists them. */
import type Docker from 'dockerode';
import { LABELS, type Course } from '../course/model.js';
import type { VmContainer } from './inventory.js';

export async function listVmContainers(docker: Docker, course: Pick<Course, 'id'>): Promise<VmContainer[]> {
  const [{ dockerCall }, { monitoringNetworkName }] = await Promise.all([import('../local/docker.js'), import('../local/layout.js')]);
  const found = await dockerCall('listing the course\'s containers', () =>
    docker.listContainers({ all: true, filters: { label: [`${LABELS.course}=${course.id}`, `${LABELS.role}=learner`] } }),
  );
  const monitoringNetwork = monitoringNetworkName(course);
  return found.map((info) => vmContainerOf(info, monitoringNetwork));
}

/** Pure: one `docker ps` entry to what the inventory needs. */
export function vmContainerOf(info: Docker.ContainerInfo, monitoringNetwork: string): VmContainer {
  const name = (info.Names[0] ?? '').replace(/^\//, '');
  const ssh = info.Ports.find((p) => p.PrivatePort === 22 && p.Type === 'tcp' && p.PublicPort);
  const monitoringIp = info.NetworkSettings?.Networks?.[monitoringNetwork]?.IPAddress;
  return {
    name,
    learner: info.Labels?.[LABELS.learner] ?? '',
    ...(ssh ? { sshPort: ssh.PublicPort } : {}),
    running: info.State === 'running',
    ...(monitoringIp ? { monitoringIp } : {}),
  };
}
