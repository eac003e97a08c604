/**
 * What a learner's `resops` reports to the course's dashboard: one event per exercise command
 * that changed their progress, and one per pipeline run or scaling experiment they made. Each
 * learner numbers their own events 1, 2, 3, … (`seq`), so the dashboard can take each exactly
 * once and in order however often a queue is sent again.
 */

export const STEP_KINDS = ['start', 'check', 'hint', 'solve', 'reset'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const EVENT_KINDS = [...STEP_KINDS, 'pipeline', 'scale'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

interface Sequenced {
  learner: string;
  /** 1, 2, 3, … per learner, in the order the learner's commands ran. */
  seq: number;
  /** ISO time on the learner's machine. */
  at: string;
}

export interface StepEvent extends Sequenced {
  kind: StepKind;
  exercise: string;
  step: string;
  /** check and solve: whether the step's check passed. */
  passed?: boolean;
  /** check and solve: what the check said (cut to MESSAGE_CHARS). */
  message?: string;
  /** hint: how many of the step's hints the learner has seen now. */
  hintsShown?: number;
}

/** One pipeline run, as much as the dashboard shows of it (the report stays on the learner's machine). */
export interface RunDigest {
  run: string;
  storage: string;
  workers: number;
  reads: number;
  wallSeconds: number;
  /** Seconds per stage, in the order the stages ran. */
  stages: Array<{ stage: string; seconds: number }>;
  /** Workers lost during the run (Slurm requeued their jobs). */
  lostWorkers: number;
  f1: number;
}

export interface PipelineRunEvent extends Sequenced {
  kind: 'pipeline';
  run: RunDigest;
}

/** A scaling experiment: wall times per worker count; the dashboard fits and draws it itself. */
export interface ScaleDigest {
  storage: string;
  reads: number;
  repeat: number;
  points: Array<{ workers: number; seconds: number[] }>;
}

export interface ScaleEvent extends Sequenced {
  kind: 'scale';
  scale: ScaleDigest;
}

export type ProgressEvent = StepEvent | PipelineRunEvent | ScaleEvent;

/** An event before the outbox numbers it. */
export type UnsequencedEvent = ProgressEvent extends infer E ? (E extends ProgressEvent ? Omit<E, 'seq'> : never) : never;

export const MESSAGE_CHARS = 500;
/** One POST carries at most this many events; a longer queue goes in several. */
export const BATCH_EVENTS = 200;

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Bounds on what one event may carry: a digest is small, whatever a sender claims. */
const MAX_STAGES = 16;
const MAX_POINTS = 16;
const MAX_REPEATS = 20;

const wholeFrom = (value: unknown, min: number) => typeof value === 'number' && Number.isInteger(value) && value >= min;
const seconds = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function parseRun(value: unknown): RunDigest | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'run: expected an object';
  const r = value as Record<string, unknown>;
  if (typeof r.run !== 'string' || !ID.test(r.run)) return 'run.run: expected a run id';
  if (typeof r.storage !== 'string' || !ID.test(r.storage)) return 'run.storage: expected a storage name';
  if (!wholeFrom(r.workers, 1) || !wholeFrom(r.reads, 1)) return 'run.workers, run.reads: expected whole numbers from 1';
  if (!seconds(r.wallSeconds)) return 'run.wallSeconds: expected seconds';
  if (!wholeFrom(r.lostWorkers, 0)) return 'run.lostWorkers: expected a whole number';
  if (typeof r.f1 !== 'number' || !(r.f1 >= 0 && r.f1 <= 1)) return 'run.f1: expected a number from 0 to 1';
  if (!Array.isArray(r.stages) || r.stages.length > MAX_STAGES) return `run.stages: expected at most ${MAX_STAGES} stages`;
  const stages: RunDigest['stages'] = [];
  for (const [i, item] of r.stages.entries()) {
    const stage = item as { stage?: unknown; seconds?: unknown } | null;
    if (typeof stage?.stage !== 'string' || !ID.test(stage.stage) || !seconds(stage.seconds)) return `run.stages[${i}]: expected { stage, seconds }`;
    stages.push({ stage: stage.stage, seconds: stage.seconds as number });
  }
  return { run: r.run, storage: r.storage, workers: r.workers as number, reads: r.reads as number, wallSeconds: r.wallSeconds as number, stages, lostWorkers: r.lostWorkers as number, f1: r.f1 };
}

function parseScale(value: unknown): ScaleDigest | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'scale: expected an object';
  const r = value as Record<string, unknown>;
  if (typeof r.storage !== 'string' || !ID.test(r.storage)) return 'scale.storage: expected a storage name';
  if (!wholeFrom(r.reads, 1) || !wholeFrom(r.repeat, 1)) return 'scale.reads, scale.repeat: expected whole numbers from 1';
  if (!Array.isArray(r.points) || r.points.length === 0 || r.points.length > MAX_POINTS) return `scale.points: expected 1 to ${MAX_POINTS} worker counts`;
  const points: ScaleDigest['points'] = [];
  for (const [i, item] of r.points.entries()) {
    const point = item as { workers?: unknown; seconds?: unknown } | null;
    if (!wholeFrom(point?.workers, 1) || !Array.isArray(point?.seconds) || point.seconds.length === 0 || point.seconds.length > MAX_REPEATS || !point.seconds.every((s) => seconds(s) && (s as number) > 0)) {
      return `scale.points[${i}]: expected { workers, seconds: [1 to ${MAX_REPEATS} wall times] }`;
    }
    points.push({ workers: point.workers as number, seconds: point.seconds as number[] });
  }
  return { storage: r.storage, reads: r.reads as number, repeat: r.repeat as number, points };
}

/** The event, or what is wrong with it (for the 400 answer). */
export function parseEvent(value: unknown): ProgressEvent | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an event must be a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e.learner !== 'string' || !ID.test(e.learner)) return 'learner: expected a learner id';
  if (typeof e.seq !== 'number' || !Number.isInteger(e.seq) || e.seq < 1) return 'seq: expected a whole number from 1';
  if (typeof e.at !== 'string' || Number.isNaN(Date.parse(e.at))) return 'at: expected an ISO time';
  if (typeof e.kind !== 'string' || !(EVENT_KINDS as readonly string[]).includes(e.kind)) return `kind: expected one of ${EVENT_KINDS.join(', ')}`;
  const base = { learner: e.learner, seq: e.seq, at: new Date(Date.parse(e.at)).toISOString() };
  if (e.kind === 'pipeline') {
    const run = parseRun(e.run);
    return typeof run === 'string' ? run : { ...base, kind: 'pipeline', run };
  }
  if (e.kind === 'scale') {
    const scale = parseScale(e.scale);
    return typeof scale === 'string' ? scale : { ...base, kind: 'scale', scale };
  }
  if (typeof e.exercise !== 'string' || !ID.test(e.exercise)) return 'exercise: expected an exercise id';
  if (typeof e.step !== 'string' || !ID.test(e.step)) return 'step: expected a step id';
  if (e.passed !== undefined && typeof e.passed !== 'boolean') return 'passed: expected true or false';
  if (e.message !== undefined && typeof e.message !== 'string') return 'message: expected a string';
  if (e.hintsShown !== undefined && (typeof e.hintsShown !== 'number' || !Number.isInteger(e.hintsShown) || e.hintsShown < 0)) return 'hintsShown: expected a whole number';
  return {
    ...base,
    kind: e.kind as StepKind,
    exercise: e.exercise,
    step: e.step,
    ...(e.passed !== undefined ? { passed: e.passed as boolean } : {}),
    ...(e.message !== undefined ? { message: (e.message as string).slice(0, MESSAGE_CHARS) } : {}),
    ...(e.hintsShown !== undefined ? { hintsShown: e.hintsShown as number } : {}),
  };
}
