import type { Course } from '../course/model.js';
import type { Exercise } from '../exercises/catalog.js';
import type { LearnerProgress } from '../exercises/progress.js';
import type { ProgressEvent } from './events.js';
import type { HealthView } from './health.js';
import { pipelineView, type PipelineView } from './pipeline-view.js';

/**
 * The class at a glance: one row per learner, one cell per exercise step, folded from the events
 * learners reported and the progress files on this machine (learners who work here). Personal
 * data stays to what the instructor needs: id and name, never email, key or password.
 */

export type CellStatus = 'todo' | 'started' | 'passed' | 'solved';

export interface Cell {
  status: CellStatus;
  hints: number;
  checks: number;
  /** Failed checks since the last pass or start. */
  failedInARow: number;
  lastMessage?: string;
}

export interface LearnerRow {
  id: string;
  name: string;
  current?: { exercise: string; step: string };
  /** `<exercise>/<step>` → cell; steps never touched are absent (todo). */
  cells: Record<string, Cell>;
  lastActivity?: string;
  stuck?: string;
}

export interface ClassView {
  course: string;
  title: string;
  generatedAt: string;
  exercises: Array<{ id: string; title: string; steps: Array<{ id: string; title: string }> }>;
  learners: LearnerRow[];
  /** Recent pipeline runs and scaling experiments, reported or found here. */
  pipeline: PipelineView;
  /** Machines, alerts, time and cost, as last asked of the target; absent until the first answer. */
  health?: HealthView;
}

export interface StuckRules {
  /** The current step's check failed this many times in a row. */
  failedChecks: number;
  /** Or nothing happened for this long on a step not done. */
  idleMinutes: number;
}

export const DEFAULT_STUCK: StuckRules = { failedChecks: 3, idleMinutes: 20 };

const RANK: Record<CellStatus, number> = { todo: 0, started: 1, solved: 2, passed: 3 };
const done = (s: CellStatus) => s === 'passed' || s === 'solved';

function fresh(): Cell {
  return { status: 'started', hints: 0, checks: 0, failedInARow: 0 };
}

/** One learner's row from their events, in seq order. */
export function foldEvents(events: readonly ProgressEvent[]): Pick<LearnerRow, 'current' | 'cells' | 'lastActivity'> {
  const cells: Record<string, Cell> = {};
  let current: LearnerRow['current'];
  let lastActivity: string | undefined;
  for (const e of events) {
    lastActivity = e.at;
    // A pipeline run or experiment is activity, but of no step.
    if (e.kind === 'pipeline' || e.kind === 'scale') continue;
    const key = `${e.exercise}/${e.step}`;
    if (e.kind === 'reset') {
      cells[key] = fresh();
      current = { exercise: e.exercise, step: e.step };
      continue;
    }
    const cell = (cells[key] ??= fresh());
    if (e.kind === 'start') current = { exercise: e.exercise, step: e.step };
    if (e.kind === 'hint' && e.hintsShown !== undefined) cell.hints = Math.max(cell.hints, e.hintsShown);
    if (e.kind === 'check' || e.kind === 'solve') {
      cell.checks += 1;
      if (e.message !== undefined) cell.lastMessage = e.message;
      if (e.passed) {
        cell.failedInARow = 0;
        if (!done(cell.status)) cell.status = e.kind === 'solve' ? 'solved' : 'passed';
      } else {
        cell.failedInARow += 1;
      }
    }
  }
  return { cells, ...(current ? { current } : {}), ...(lastActivity ? { lastActivity } : {}) };
}

/** The row a progress file on this machine gives. */
export function rowFromProgress(progress: LearnerProgress): Pick<LearnerRow, 'current' | 'cells' | 'lastActivity'> {
  const cells: Record<string, Cell> = {};
  for (const [exercise, { steps }] of Object.entries(progress.exercises)) {
    for (const [step, p] of Object.entries(steps)) {
      cells[`${exercise}/${step}`] = { status: p.status, hints: p.hintsShown, checks: p.checks, failedInARow: 0, ...(p.lastMessage !== undefined ? { lastMessage: p.lastMessage } : {}) };
    }
  }
  return { cells, ...(progress.current ? { current: progress.current } : {}), lastActivity: progress.updatedAt };
}

/** Events and a local file for the same learner: per step the further status wins; the events' current step and failure streaks are kept. */
function merge(a: Pick<LearnerRow, 'current' | 'cells' | 'lastActivity'>, b: Pick<LearnerRow, 'current' | 'cells' | 'lastActivity'> | undefined): Pick<LearnerRow, 'current' | 'cells' | 'lastActivity'> {
  if (!b) return a;
  const cells = { ...b.cells };
  for (const [key, cell] of Object.entries(a.cells)) {
    const other = cells[key];
    cells[key] = !other || RANK[cell.status] >= RANK[other.status] ? { ...cell, hints: Math.max(cell.hints, other?.hints ?? 0), checks: Math.max(cell.checks, other?.checks ?? 0) } : other;
  }
  const aLater = (a.lastActivity ?? '') >= (b.lastActivity ?? '');
  const current = aLater ? (a.current ?? b.current) : (b.current ?? a.current);
  const lastActivity = aLater ? a.lastActivity : b.lastActivity;
  return { cells, ...(current ? { current } : {}), ...(lastActivity ? { lastActivity } : {}) };
}

export function stuckReason(row: Pick<LearnerRow, 'current' | 'cells' | 'lastActivity'>, rules: StuckRules, now: Date): string | undefined {
  if (!row.current) return undefined;
  const cell = row.cells[`${row.current.exercise}/${row.current.step}`];
  if (!cell || done(cell.status)) return undefined;
  if (cell.failedInARow >= rules.failedChecks) return `the check of ${row.current.exercise}/${row.current.step} failed ${cell.failedInARow} times in a row`;
  if (row.lastActivity) {
    const idle = (now.getTime() - Date.parse(row.lastActivity)) / 60_000;
    if (idle >= rules.idleMinutes) return `no progress on ${row.current.exercise}/${row.current.step} for ${Math.floor(idle)} min`;
  }
  return undefined;
}

export function classView(
  course: Pick<Course, 'id' | 'title' | 'learners'>,
  exercises: readonly Exercise[],
  events: readonly ProgressEvent[],
  localProgress: ReadonlyMap<string, LearnerProgress>,
  options: { now?: Date; stuck?: StuckRules; localPipeline?: PipelineView } = {},
): ClassView {
  const now = options.now ?? new Date();
  const rules = options.stuck ?? DEFAULT_STUCK;
  const byLearner = new Map<string, ProgressEvent[]>();
  for (const e of events) byLearner.set(e.learner, [...(byLearner.get(e.learner) ?? []), e]);
  return {
    course: course.id,
    title: course.title,
    generatedAt: now.toISOString(),
    exercises: exercises.map((e) => ({ id: e.id, title: e.title, steps: e.steps.map((s) => ({ id: s.id, title: s.title })) })),
    learners: course.learners.map((learner) => {
      const local = localProgress.get(learner.id);
      const row = merge(foldEvents(byLearner.get(learner.id) ?? []), local ? rowFromProgress(local) : undefined);
      const stuck = stuckReason(row, rules, now);
      return { id: learner.id, name: learner.name, ...row, ...(stuck ? { stuck } : {}) };
    }),
    pipeline: pipelineView(events, options.localPipeline ?? { runs: [], scaling: [] }),
  };
}
