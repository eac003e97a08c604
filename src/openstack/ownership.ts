import { METADATA } from '../course/model.js';

/**
 * Which course a cloud resource belongs to. Metadata (Nova, Cinder, Swift) or a
 * `resops-course=<id>` tag (Neutron) decides when present; otherwise the name prefix `<id>-`
 * does (keypairs have neither metadata nor tags). A prefix alone is ambiguous when course ids
 * nest (`demo` and `demo-2`), so a name that also fits a longer known course id is that course's.
 */

const TAG_PREFIX = `${METADATA.course}=`;

/** The course a resource is labelled with, from Neutron tags or a metadata map. */
export function courseLabel(labels: { tags?: string[]; metadata?: Record<string, string> }): string | undefined {
  const fromMetadata = labels.metadata?.[METADATA.course];
  if (fromMetadata !== undefined) return fromMetadata;
  const tag = labels.tags?.find((t) => t.startsWith(TAG_PREFIX));
  return tag === undefined ? undefined : tag.slice(TAG_PREFIX.length);
}

export type MatchedBy = 'label' | 'name';

/**
 * How a resource belongs to `courseId`, or undefined when it does not. `knownCourses` are the
 * course ids seen on labelled resources of the same project.
 */
export function belongsToCourse(
  courseId: string,
  name: string | null | undefined,
  label: string | undefined,
  knownCourses: ReadonlySet<string> = new Set(),
): MatchedBy | undefined {
  if (label !== undefined) return label === courseId ? 'label' : undefined;
  const prefix = `${courseId}-`;
  if (!name || !name.startsWith(prefix)) return undefined;
  for (const other of knownCourses) {
    if (other !== courseId && other.startsWith(prefix) && name.startsWith(`${other}-`)) return undefined;
  }
  return 'name';
}
