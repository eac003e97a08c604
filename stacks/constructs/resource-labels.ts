import { courseExpiry, expiryStamp } from '../../src/course/expiry.js';
import { METADATA, type Course, type ExpiryAction } from '../../src/course/model.js';

/** Who a resource belongs to and until when; becomes metadata (compute, volumes, Swift) or tags (networking). */
export interface ResourceLabels {
  course: string;
  role: string;
  learner?: string;
  /** When the course's labs expire (`expiryStamp`); absent: the course has no end. */
  expires?: string;
  /** What `reap` does once they have; set together with `expires`. */
  expiryAction?: ExpiryAction;
}

/**
 * The labels of a course's resource. The expiry travels with every resource, so `reap --cloud`
 * finds an expired course by its metadata alone, without the course file.
 */
export function courseLabels(course: Pick<Course, 'id' | 'end' | 'expiry'>, role: string, learner?: string): ResourceLabels {
  const expires = courseExpiry(course);
  return {
    course: course.id,
    role,
    ...(learner !== undefined ? { learner } : {}),
    ...(expires ? { expires: expiryStamp(expires), expiryAction: course.expiry.action } : {}),
  };
}

/** Metadata map for resources that take `metadata`: `{ "resops-course": "<id>", … }`. */
export function metadataOf(labels: ResourceLabels): Record<string, string> {
  const metadata: Record<string, string> = { [METADATA.course]: labels.course, [METADATA.role]: labels.role };
  if (labels.learner !== undefined) metadata[METADATA.learner] = labels.learner;
  if (labels.expires !== undefined) metadata[METADATA.expires] = labels.expires;
  if (labels.expiryAction !== undefined) metadata[METADATA.expiryAction] = labels.expiryAction;
  return metadata;
}

/** Neutron tags are plain strings, so the same pairs are written `key=value`. */
export function tagsOf(labels: ResourceLabels): string[] {
  return Object.entries(metadataOf(labels)).map(([key, value]) => `${key}=${value}`);
}
