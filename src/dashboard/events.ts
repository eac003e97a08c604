/**
 * What a learner's `resops exercise` reports to the course's dashboard: one event per command
 * that changed their progress. Each learner numbers their own events 1, 2, 3, … (`seq`), so the
 * dashboard can take each exactly once and in order however often a queue is sent again.
 */

export const EVENT_KINDS = ['start', 'check', 'hint', 'solve', 'reset'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface ProgressEvent {
  learner: string;
  /** 1, 2, 3, … per learner, in the order the learner's commands ran. */
  seq: number;
  /** ISO time on the learner's machine. */
  at: string;
  kind: EventKind;
  exercise: string;
  step: string;
  /** check and solve: whether the step's check passed. */
  passed?: boolean;
  /** check and solve: what the check said (cut to MESSAGE_CHARS). */
  message?: string;
  /** hint: how many of the step's hints the learner has seen now. */
  hintsShown?: number;
}

export const MESSAGE_CHARS = 500;
/** One POST carries at most this many events; a longer queue goes in several. */
export const BATCH_EVENTS = 200;

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The event, or what is wrong with it (for the 400 answer). */
export function parseEvent(value: unknown): ProgressEvent | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an event must be a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e.learner !== 'string' || !ID.test(e.learner)) return 'learner: expected a learner id';
  if (typeof e.seq !== 'number' || !Number.isInteger(e.seq) || e.seq < 1) return 'seq: expected a whole number from 1';
  if (typeof e.at !== 'string' || Number.isNaN(Date.parse(e.at))) return 'at: expected an ISO time';
  if (typeof e.kind !== 'string' || !(EVENT_KINDS as readonly string[]).includes(e.kind)) return `kind: expected one of ${EVENT_KINDS.join(', ')}`;
  if (typeof e.exercise !== 'string' || !ID.test(e.exercise)) return 'exercise: expected an exercise id';
  if (typeof e.step !== 'string' || !ID.test(e.step)) return 'step: expected a step id';
  if (e.passed !== undefined && typeof e.passed !== 'boolean') return 'passed: expected true or false';
  if (e.message !== undefined && typeof e.message !== 'string') return 'message: expected a string';
  if (e.hintsShown !== undefined && (typeof e.hintsShown !== 'number' || !Number.isInteger(e.hintsShown) || e.hintsShown < 0)) return 'hintsShown: expected a whole number';
  return {
    learner: e.learner,
    seq: e.seq,
    at: new Date(Date.parse(e.at)).toISOString(),
    kind: e.kind as EventKind,
    exercise: e.exercise,
    step: e.step,
    ...(e.passed !== undefined ? { passed: e.passed as boolean } : {}),
    ...(e.message !== undefined ? { message: (e.message as string).slice(0, MESSAGE_CHARS) } : {}),
    ...(e.hintsShown !== undefined ? { hintsShown: e.hintsShown as number } : {}),
  };
}
