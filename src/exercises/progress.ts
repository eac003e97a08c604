/**
 * A learner's progress through the exercises: one JSON file per learner in the course's state
 * directory (`<state dir>/exercises/<learner>/progress.json`), written atomically (temp file +
 * rename) so that a CLI killed mid-write never leaves half a file, and an instructor can collect
 * every learner's file while they work.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Course } from '../course/model.js';

export type StepStatus = 'started' | 'passed' | 'solved';

export interface StepProgress {
  status: StepStatus;
  startedAt: string;
  /** When the check passed (or the solution was applied). */
  doneAt?: string;
  hintsShown: number;
  checks: number;
  /** The check's last message (what was missing, or what passed). */
  lastMessage?: string;
}

export interface LearnerProgress {
  version: 1;
  course: string;
  learner: string;
  /** The step `check`, `hint` and `solve` act on. */
  current?: { exercise: string; step: string };
  /**
   * The private key the learner gave once (`--key` or RESOPS_SSH_KEY), as an absolute path: every
   * later check, solution and generated inventory uses it. The path only, never the key.
   */
  sshKey?: string;
  exercises: Record<string, { steps: Record<string, StepProgress> }>;
  updatedAt: string;
}

export function exercisesStateDir(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return resolve(course.dir, course.stateDir, 'exercises');
}

export function progressFile(course: Pick<Course, 'dir' | 'stateDir'>, learner: string): string {
  return join(exercisesStateDir(course), learner, 'progress.json');
}

export function emptyProgress(course: string, learner: string): LearnerProgress {
  return { version: 1, course, learner, exercises: {}, updatedAt: new Date().toISOString() };
}

/** The saved progress, or a fresh one; a corrupt file is an error naming the file (never overwritten silently). */
export function readProgress(course: Pick<Course, 'dir' | 'stateDir' | 'id'>, learner: string): LearnerProgress {
  const file = progressFile(course, learner);
  if (!existsSync(file)) return emptyProgress(course.id, learner);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); move it away to start over`);
  }
  const p = parsed as Partial<LearnerProgress>;
  if (p.version !== 1 || typeof p.exercises !== 'object' || p.exercises === null || p.learner !== learner) {
    throw new Error(`${file}: not a progress file of learner ${learner} (version 1); move it away to start over`);
  }
  return p as LearnerProgress;
}

export function writeProgress(course: Pick<Course, 'dir' | 'stateDir'>, progress: LearnerProgress): void {
  const file = progressFile(course, progress.learner);
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ ...progress, updatedAt: new Date().toISOString() }, null, 2)}\n`);
  renameSync(temp, file);
}

export function stepProgress(progress: LearnerProgress, exercise: string, step: string): StepProgress | undefined {
  return progress.exercises[exercise]?.steps[step];
}

export function setStepProgress(progress: LearnerProgress, exercise: string, step: string, value: StepProgress | undefined): void {
  const entry = (progress.exercises[exercise] ??= { steps: {} });
  if (value) entry.steps[step] = value;
  else delete entry.steps[step];
}

export const isDone = (step: StepProgress | undefined): boolean => step?.status === 'passed' || step?.status === 'solved';
