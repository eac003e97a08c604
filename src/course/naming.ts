import type { Course, Learner } from './model.js';

/**
 * Every cloud and Docker object name is `<course id>-<parts…>`, so names are unique per course,
 * deterministic (no random suffix), and a leak check can find them by prefix alone.
 */
export function resourceName(course: Pick<Course, 'id'>, ...parts: Array<string | number>): string {
  return [course.id, ...parts.map(String)].join('-');
}

/** Name of learner VM `vm` (1-based): `resops-demo-alice-vm1`. */
export function learnerVmName(course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>, vm: number): string {
  return resourceName(course, learner.id, `vm${vm}`);
}

/** Stack names, also the folder names under `<out>/stacks/`. */
export const STACK_NAMES = {
  network: (course: Pick<Course, 'id'>) => resourceName(course, 'network'),
  learner: (course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>) => resourceName(course, 'learner', learner.id),
  monitoring: (course: Pick<Course, 'id'>) => resourceName(course, 'monitoring'),
  pipeline: (course: Pick<Course, 'id'>) => resourceName(course, 'pipeline'),
} as const;

/**
 * Keystone names of a learner's account (`resops accounts`): their user and, in
 * project-per-learner mode, their project are both `resops-<course>-<learner>`; the clouds.yaml
 * entry of their credential is `resops-<course>`.
 */
export const ACCOUNT_NAMES = {
  learner: (course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>) => `resops-${course.id}-${learner.id}`,
  cloud: (course: Pick<Course, 'id'>) => `resops-${course.id}`,
} as const;

/** Where a learner VM's data disk is mounted, on either target: the exercises name this one path. */
export const LEARNER_DATA_DIR = '/data';
