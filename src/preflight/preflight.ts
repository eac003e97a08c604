/**
 * Preflight: what the course will consume and cost, and whether the project's quota allows it.
 * Quota is checked only when a cloud is configured; without one the estimate still stands.
 */
import { estimateConsumption, estimateCost, type CostEstimate, type CourseEstimate } from '../course/estimate.js';
import type { Course, Target } from '../course/model.js';
import { fetchProjectQuota, NoCloudConfiguredError, type ProjectQuota } from '../openstack/quota.js';
import {
  AuthenticationError,
  CloudConfigError,
  CloudUnreachableError,
  NoEndpointError,
  OpenStackApiError,
} from '../openstack/errors.js';
import { compareQuota, type QuotaComparison } from './quota-check.js';

export type QuotaResult =
  | { checked: true; comparison: QuotaComparison }
  /** `failed`: a cloud is configured but could not be asked (credentials refused, unreachable…). */
  | { checked: false; reason: string; failed: boolean };

/** The client's expected failures: a configured cloud that cannot be asked. */
const CLOUD_ERRORS = [AuthenticationError, CloudConfigError, CloudUnreachableError, NoEndpointError, OpenStackApiError];

export interface PreflightReport {
  course: { file: string; id: string; title: string; target: Target; cloud: string; learners: number; start?: string; end?: string };
  estimate: CourseEstimate;
  /** Null when the course file has no unit prices. */
  cost: CostEstimate | null;
  quota: QuotaResult;
}

export type QuotaFetcher = (cloud: string, region?: string) => Promise<ProjectQuota>;

export async function runPreflight(course: Course, fetchQuota: QuotaFetcher = fetchProjectQuota): Promise<PreflightReport> {
  const estimate = estimateConsumption(course);
  const cost = estimateCost(course, estimate.total) ?? null;
  let quota: QuotaResult;
  try {
    const projectQuota = await fetchQuota(course.cloud.name, course.cloud.region);
    quota = { checked: true, comparison: compareQuota(projectQuota, estimate.instructorProject) };
  } catch (error) {
    if (error instanceof NoCloudConfiguredError) quota = { checked: false, reason: error.message, failed: false };
    else if (CLOUD_ERRORS.some((kind) => error instanceof kind)) quota = { checked: false, reason: (error as Error).message, failed: true };
    else throw error;
  }
  return {
    course: {
      file: course.file,
      id: course.id,
      title: course.title,
      target: course.target,
      cloud: course.cloud.name,
      learners: course.learners.length,
      ...(course.start ? { start: course.start } : {}),
      ...(course.end ? { end: course.end } : {}),
    },
    estimate,
    cost,
    quota,
  };
}

/** 3 when any quota would be exceeded, 1 when a configured cloud could not be asked, else 0. */
export function preflightExitCode(report: PreflightReport): number {
  if (!report.quota.checked) return report.quota.failed ? 1 : 0;
  return report.quota.comparison.exceeded.length > 0 ? 3 : 0;
}
