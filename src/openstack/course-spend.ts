import type { Course } from '../course/model.js';
import type { SpendItem } from '../course/spend.js';
import { clientFor, type CloudRef } from './client.js';
import { belongsToCourse, courseLabel } from './ownership.js';

/**
 * The course's billable resources as the cloud lists them now: servers (sized by the flavor Nova
 * embeds, else by the course's flavor of that name), volumes and floating IPs, each with the time
 * the cloud made it. Ownership is the leak check's: label first, name prefix otherwise.
 */
export async function courseSpendItems(cloud: CloudRef, course: Pick<Course, 'id' | 'cloud'>): Promise<SpendItem[]> {
  const client = await clientFor(cloud);
  const [servers, volumes, floatingIps] = await Promise.all([
    client.compute.listServers(),
    client.session.hasService('volume') ? client.volume.listVolumes() : Promise.resolve([]),
    client.network.listFloatingIps(),
  ]);
  const known = new Set([...servers, ...volumes, ...floatingIps].map((r) => courseLabel(r)).filter((l): l is string => l !== undefined));
  const ours = (name: string | null | undefined, label: string | undefined) => belongsToCourse(course.id, name, label, known) !== undefined;
  const flavors = Object.values(course.cloud.flavors);
  const items: SpendItem[] = [];
  for (const s of servers) {
    if (!ours(s.name, courseLabel(s))) continue;
    const flavor = flavors.find((f) => f.name === s.flavor);
    const vcpus = s.vcpus ?? flavor?.vcpus;
    const ramMb = s.ramMb ?? flavor?.ramMb;
    items.push({ kind: 'server', name: s.name, since: s.created, ...(vcpus !== undefined ? { vcpus } : {}), ...(ramMb !== undefined ? { ramMb } : {}) });
  }
  for (const v of volumes) {
    if (ours(v.name, courseLabel(v)) && v.created_at) items.push({ kind: 'volume', name: v.name ?? v.id, since: v.created_at, sizeGb: v.size });
  }
  for (const f of floatingIps) {
    if (ours(f.description, courseLabel(f)) && f.created_at) items.push({ kind: 'floating-ip', name: f.description || f.floating_ip_address, since: f.created_at });
  }
  return items;
}
