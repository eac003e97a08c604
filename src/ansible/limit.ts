/**
 * `configure --limit`: which of the course's machines a run touches. Learner ids name their VMs;
 * `monitoring` and `workers` name the shared machines, so an instructor can re-run the monitoring
 * host alone after changing an alert, or one learner's VMs plus the host that watches them.
 */
import type { Course } from '../course/model.js';
import { TargetError } from '../targets/driver.js';
import { learnerGroup, type InventoryHost } from './inventory.js';

const SHARED = ['monitoring', 'workers'] as const;
type SharedGroup = (typeof SHARED)[number];

export interface ConfigureLimit {
  learners: string[];
  shared: SharedGroup[];
}

export function parseLimit(value: string, course: Pick<Course, 'id' | 'learners'>): ConfigureLimit {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  const limit: ConfigureLimit = { learners: [], shared: [] };
  for (const item of items) {
    if ((SHARED as readonly string[]).includes(item)) limit.shared.push(item as SharedGroup);
    else if (course.learners.some((l) => l.id === item)) limit.learners.push(item);
    else {
      throw new TargetError(
        `--limit ${value}: no learner \`${item}\` in course ${course.id}`,
        `name learners (${course.learners.map((l) => l.id).join(', ') || 'none'}) or the shared machines (${SHARED.join(', ')}), separated by commas`,
        2,
      );
    }
  }
  if (items.length === 0) throw new TargetError('--limit: names nothing', `name learners or the shared machines (${SHARED.join(', ')}), separated by commas`, 2);
  return limit;
}

export function limitSelects(limit: ConfigureLimit, host: Pick<InventoryHost, 'learner' | 'group'>): boolean {
  if (host.learner !== undefined) return limit.learners.includes(host.learner);
  return (limit.shared as string[]).includes(host.group);
}

/** The same machines as an Ansible host pattern: a union of the inventory's groups. */
export function limitPattern(limit: ConfigureLimit): string {
  return [...limit.learners.map(learnerGroup), ...limit.shared].join(':');
}
