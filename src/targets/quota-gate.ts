/**
 * Before `up` creates anything: would the stacks it is about to create fit in the project's quota?
 * Stacks that already hold resources are in the project's usage already, so only the new ones count.
 */
import type { Course } from '../course/model.js';
import { addConsumption, emptyConsumption, estimateConsumption, inInstructorProject } from '../course/estimate.js';
import { NoCloudConfiguredError } from '../openstack/quota.js';
import { compareQuota, type QuotaComparison } from '../preflight/quota-check.js';
import { askCloud, type CourseCloudApi } from './course-cloud.js';
import { TargetError } from './driver.js';

export type QuotaGateResult =
  | { checked: true; stacks: string[]; comparison: QuotaComparison }
  | { checked: false; reason: string };

export async function checkQuotaFor(
  course: Course,
  cloudName: string,
  newStacks: string[],
  api: Pick<CourseCloudApi, 'connect' | 'readQuota'>,
): Promise<QuotaGateResult> {
  if (newStacks.length === 0) return { checked: false, reason: 'every stack already exists: nothing new to fit in the quota' };
  const wanted = new Set(newStacks);
  const need = estimateConsumption(course)
    .parts.filter((part) => wanted.has(part.stack) && inInstructorProject(course, part))
    .reduce((sum, part) => addConsumption(sum, part.consumption), emptyConsumption());
  try {
    const client = await askCloud(cloudName, 'connecting for the quota check', () => api.connect(cloudName, course.cloud.region));
    const quota = await askCloud(cloudName, 'reading the project quota', () => api.readQuota(client));
    return { checked: true, stacks: newStacks, comparison: compareQuota(quota, need) };
  } catch (error) {
    // Terraform will say the same more precisely; the gate only exists to stop early.
    if (error instanceof TargetError || error instanceof NoCloudConfiguredError) return { checked: false, reason: error.message };
    throw error;
  }
}

/** The error `up` stops with (exit 3) when a limit would be exceeded. */
export function quotaExceededError(result: QuotaGateResult & { checked: true }, command: string): TargetError {
  const lines = result.comparison.exceeded.map((e) => `  ${e}`);
  return new TargetError(
    `the project's quota in cloud "${result.comparison.cloud}" is too small for ${result.stacks.length} new stack${result.stacks.length === 1 ? '' : 's'}; nothing was created:\n${lines.join('\n')}`,
    `raise the quota, make the course smaller, or apply anyway with \`${command} --force\``,
    3,
  );
}
