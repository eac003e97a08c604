/**
 * The configuration each stack was last applied with, kept beside its state. A learner removed
 * from the course file has no synthesized stack any more, but their resources still exist:
 * destroying them needs the configuration that made them, not the course as it is now.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Course } from '../course/model.js';
import { STACK_NAMES } from '../course/naming.js';
import type { StackKind, SynthesizedStack } from '../synth/synthesize.js';
import { inspectStackState } from './state.js';

interface StackConfig {
  terraform?: { backend?: { local?: { path?: string } } };
  data?: { terraform_remote_state?: Record<string, { backend?: string; config?: { path?: string } }> };
}

/** `<state dir>/terraform`: state files, and `applied/<stack>/cdk.tf.json`. */
export function terraformStateDir(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return resolve(course.dir, course.stateDir, 'terraform');
}

function appliedDir(course: Pick<Course, 'dir' | 'stateDir'>, stack: string): string {
  return join(terraformStateDir(course), 'applied', stack);
}

/**
 * Copies a synthesized stack's configuration into the state directory, with its local state
 * paths rewritten to be relative to the copy, so terraform can run in the copy alone.
 */
export function saveAppliedConfig(course: Pick<Course, 'dir' | 'stateDir'>, stack: SynthesizedStack): void {
  const config = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8')) as StackConfig;
  const target = appliedDir(course, stack.name);
  const rebase = (path: string | undefined) => (path === undefined ? undefined : relative(target, resolve(stack.dir, path)));
  const local = config.terraform?.backend?.local;
  if (local?.path !== undefined) local.path = rebase(local.path);
  for (const remote of Object.values(config.data?.terraform_remote_state ?? {})) {
    if (remote.backend === 'local' && remote.config?.path !== undefined) remote.config.path = rebase(remote.config.path);
  }
  mkdirSync(target, { recursive: true });
  const file = join(target, 'cdk.tf.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Forgets a stack's saved configuration once the stack is destroyed. */
export function forgetAppliedConfig(course: Pick<Course, 'dir' | 'stateDir'>, stack: string): void {
  rmSync(appliedDir(course, stack), { recursive: true, force: true });
}

export interface OrphanStack {
  name: string;
  /** The learner the stack belonged to, when it is a learner stack. */
  learnerId?: string;
  kind: StackKind;
  stateFile: string;
  /** Managed resources its state still holds. */
  resources: number;
  /** A stack to run terraform in (the saved configuration), or undefined when none was saved. */
  stack?: SynthesizedStack;
}

/**
 * Stacks of this course whose state still holds resources but which the course file no longer
 * has (a learner removed, monitoring or the pipeline switched off).
 */
export function findOrphanStacks(course: Course, current: SynthesizedStack[]): OrphanStack[] {
  const dir = terraformStateDir(course);
  if (!existsSync(dir)) return [];
  const known = new Set(current.map((s) => s.name));
  const learnerPrefix = STACK_NAMES.learner(course, { id: '' });
  const orphans: OrphanStack[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (!entry.endsWith('.tfstate')) continue;
    const name = entry.slice(0, -'.tfstate'.length);
    if (known.has(name) || !name.startsWith(`${course.id}-`)) continue;
    const saved = appliedDir(course, name);
    const state = existsSync(join(saved, 'cdk.tf.json')) ? inspectStackState(saved) : undefined;
    const resources = state?.kind === 'resources' ? state.count : countResources(join(dir, entry));
    if (resources === 0) continue;
    const kind = kindOf(course, name, learnerPrefix);
    orphans.push({
      name,
      kind,
      ...(kind === 'learner' ? { learnerId: name.slice(learnerPrefix.length) } : {}),
      stateFile: join(dir, entry),
      resources,
      ...(state ? { stack: { name, kind, dir: saved, dependsOn: [] } } : {}),
    });
  }
  return orphans;
}

function kindOf(course: Course, name: string, learnerPrefix: string): StackKind {
  if (name.startsWith(learnerPrefix)) return 'learner';
  if (name === STACK_NAMES.monitoring(course)) return 'monitoring';
  if (name === STACK_NAMES.pipeline(course)) return 'pipeline';
  return 'network';
}

function countResources(stateFile: string): number {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { resources?: Array<{ mode?: string; instances?: unknown[] }> };
    return (state.resources ?? []).filter((r) => r.mode === 'managed' && (r.instances ?? []).length > 0).length;
  } catch {
    return 0;
  }
}
