import { METADATA } from '../../src/course/model.js';

/** Who a resource belongs to; becomes metadata (compute, volumes, Swift) or tags (networking). */
export interface ResourceLabels {
  course: string;
  role: string;
  learner?: string;
}

/** Metadata map for resources that take `metadata`: `{ "resops-course": "<id>", … }`. */
export function metadataOf(labels: ResourceLabels): Record<string, string> {
  const metadata: Record<string, string> = { [METADATA.course]: labels.course, [METADATA.role]: labels.role };
  if (labels.learner !== undefined) metadata[METADATA.learner] = labels.learner;
  return metadata;
}

/** Neutron tags are plain strings, so the same pairs are written `key=value`. */
export function tagsOf(labels: ResourceLabels): string[] {
  return Object.entries(metadataOf(labels)).map(([key, value]) => `${key}=${value}`);
}
