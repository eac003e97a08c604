import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildCourseApp } from '../../stacks/course-app.js';
import { withAdminKey } from '../access/admin-access.js';
import type { Course } from '../course/model.js';

export type StackKind = 'network' | 'learner' | 'monitoring' | 'pipeline';

export interface SynthesizedStack {
  /** Stack name, e.g. `resops-demo-learner-alice` (see STACK_NAMES). */
  name: string;
  kind: StackKind;
  learnerId?: string;
  /** Directory holding the stack's cdk.tf.json: `<outDir>/stacks/<name>`. */
  dir: string;
  /** Names of the stacks that must be applied before this one. */
  dependsOn: string[];
}

export interface SynthResult {
  outDir: string;
  stacks: SynthesizedStack[];
}

/** What cdktf writes to `<outdir>/manifest.json`; only the fields read here. */
interface CdktfManifest {
  stacks: Record<string, { name: string; workingDirectory: string; dependencies: string[] }>;
}

/**
 * cdktf captures a full-depth stack trace for every token it creates (to decorate its own error
 * messages). Measured on a 100-learner course: 14.6 s and 723 MB with them, 1.1 s and 143 MB
 * without. Errors thrown during synthesis still carry their own stack: only the capture of
 * token creation sites is skipped, and only while synthesizing.
 */
function withoutTokenStackTraces<T>(work: () => T): T {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = () => undefined;
  try {
    return work();
  } finally {
    Error.captureStackTrace = capture;
  }
}

/**
 * Synthesizes every stack of the course into `outDir` with the layout `cdktf synth` produces
 * (`manifest.json`, `stacks/<name>/cdk.tf.json`); dependencies come from cdktf's own manifest,
 * i.e. from the cross-stack references, not from a second list kept by hand.
 */
export function synthCourse(course: Course, outDir: string): SynthResult {
  const built = withoutTokenStackTraces(() => {
    // The stacks authorise the course's admin key on every server: the instructors' or the automation key.
    const app = buildCourseApp(withAdminKey(course), outDir);
    app.app.synth();
    return app;
  });

  const kinds = new Map<string, { kind: StackKind; learnerId?: string }>();
  kinds.set(built.network.node.id, { kind: 'network' });
  built.learners.forEach((stack, index) => kinds.set(stack.node.id, { kind: 'learner', learnerId: course.learners[index].id }));
  if (built.monitoring) kinds.set(built.monitoring.node.id, { kind: 'monitoring' });
  if (built.pipeline) kinds.set(built.pipeline.node.id, { kind: 'pipeline' });

  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as CdktfManifest;
  const stacks = Object.values(manifest.stacks).map((entry): SynthesizedStack => {
    const kind = kinds.get(entry.name);
    if (kind === undefined) throw new Error(`synth: manifest names unknown stack ${entry.name}`);
    return { name: entry.name, ...kind, dir: resolve(outDir, entry.workingDirectory), dependsOn: [...entry.dependencies] };
  });
  const order: StackKind[] = ['network', 'learner', 'monitoring', 'pipeline'];
  stacks.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name));
  return { outDir, stacks };
}
