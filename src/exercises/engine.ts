/**
 * The exercise engine: which step a learner is on, running its setup, check, solve and reset
 * scripts, counting hints, and saving progress after every change. The CLI (`resops exercise`)
 * and the tests drive it; it prints nothing itself (long work goes to `log`).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Course, Learner } from '../course/model.js';
import { exercisesFor, findExercise, loadCatalog, type Exercise, type Step, type StepScript } from './catalog.js';
import type { StepFunction, WrongAttempt } from './kit.js';
import { resopsCommand } from './resops-command.js';
import { Lab, StepIncomplete } from './lab.js';
import { queueReport, sendReports, type SendResult } from '../dashboard/reporter.js';
import type { StepEvent, StepKind } from '../dashboard/events.js';
import { exercisesStateDir, isDone, readProgress, setStepProgress, stepProgress, writeProgress, type LearnerProgress, type StepProgress } from './progress.js';

/** A problem the learner or instructor must fix (no exercise started, unknown step…). */
export class ExerciseError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ExerciseError';
  }
}

export interface EngineOptions {
  course: Course;
  learner: Learner;
  /** Default `<state dir>/exercises/<learner>/workspace`. */
  workspace?: string;
  sshKey?: string;
  log?: (line: string) => void;
  catalog?: Exercise[];
  /** Clock, for tests of "since the step started". */
  now?: () => Date;
}

export interface StepView {
  exercise: string;
  exerciseTitle: string;
  step: string;
  stepTitle: string;
  /** 1-based position and count, for "step 2/4". */
  position: number;
  steps: number;
  text: string;
  hintsLeft: number;
  /** What setup printed, if the step has one and it ran now. */
  setup?: string;
}

export interface CheckOutcome {
  exercise: string;
  step: string;
  passed: boolean;
  message: string;
  /** The step the learner is on now (the next one after a pass). */
  next?: StepView;
  /** This pass finished the exercise. */
  exerciseComplete?: boolean;
  seconds: number;
}

export interface ExerciseSummary {
  id: string;
  number: number;
  title: string;
  minutes: number;
  objectives: string[];
  steps: Array<{ id: string; title: string; status: StepProgress['status'] | 'todo'; hintsShown: number; checks: number }>;
  done: number;
  solvedBySolution: number;
  status: 'todo' | 'in progress' | 'complete';
}

export class ExerciseEngine {
  readonly course: Course;
  readonly learner: Learner;
  readonly workspace: string;
  readonly exercises: Exercise[];
  private readonly sshKey: string | undefined;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private progress: LearnerProgress;

  constructor(options: EngineOptions) {
    this.course = options.course;
    this.learner = options.learner;
    this.exercises = exercisesFor(options.catalog ?? loadCatalog(), options.course.target);
    this.workspace = options.workspace ?? join(exercisesStateDir(options.course), options.learner.id, 'workspace');
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? (() => new Date());
    this.progress = readProgress(options.course, options.learner.id);
    if (options.sshKey && resolve(options.sshKey) !== this.progress.sshKey) {
      this.progress.sshKey = resolve(options.sshKey);
      this.save();
    }
    const remembered = this.progress.sshKey && existsSync(this.progress.sshKey) ? this.progress.sshKey : undefined;
    this.sshKey = options.sshKey ? resolve(options.sshKey) : remembered;
  }

  /** The private key checks log in with: given now, or remembered from an earlier command. */
  get key(): string | undefined {
    return this.sshKey;
  }

  /** The saved progress (re-read from disk: another process may have changed it). */
  snapshot(): LearnerProgress {
    this.progress = readProgress(this.course, this.learner.id);
    return this.progress;
  }

  list(): ExerciseSummary[] {
    this.snapshot();
    return this.exercises.map((exercise) => this.summary(exercise));
  }

  private summary(exercise: Exercise): ExerciseSummary {
    const steps = exercise.steps.map((step) => {
      const p = stepProgress(this.progress, exercise.id, step.id);
      return { id: step.id, title: step.title, status: p?.status ?? ('todo' as const), hintsShown: p?.hintsShown ?? 0, checks: p?.checks ?? 0 };
    });
    const done = steps.filter((s) => s.status === 'passed' || s.status === 'solved').length;
    return {
      id: exercise.id,
      number: exercise.number,
      title: exercise.title,
      minutes: exercise.minutes,
      objectives: exercise.objectives,
      steps,
      done,
      solvedBySolution: steps.filter((s) => s.status === 'solved').length,
      status: done === steps.length ? 'complete' : steps.some((s) => s.status !== 'todo') ? 'in progress' : 'todo',
    };
  }

  /** Exercises listed as prerequisites of `exercise` that are not complete yet. */
  unfinishedPrerequisites(exercise: Exercise): string[] {
    return exercise.prerequisites.filter((id) => {
      const other = this.exercises.find((e) => e.id === id);
      return other !== undefined && this.summary(other).status !== 'complete';
    });
  }

  /** Starts (or resumes) an exercise at its first step not done; runs that step's setup the first time. */
  async start(ref: string): Promise<StepView | { exercise: string; complete: true }> {
    this.snapshot();
    const exercise = findExercise(this.exercises, ref);
    if (!exercise) {
      throw new ExerciseError(`no exercise "${ref}"`, `exercises: ${this.exercises.map((e) => e.id).join(', ')}`);
    }
    const step = exercise.steps.find((s) => !isDone(stepProgress(this.progress, exercise.id, s.id)));
    if (!step) return { exercise: exercise.id, complete: true };
    return this.enter(exercise, step);
  }

  /** The step the learner is on. */
  current(): { exercise: Exercise; step: Step } {
    this.snapshot();
    const current = this.progress.current;
    if (!current) throw new ExerciseError('no step in progress', `start the next exercise with \`${resopsCommand()} exercise start N\` (see \`${resopsCommand()} exercise list\`), or name a step done earlier: \`${resopsCommand()} exercise check 00-setup/ssh-in\``);
    const exercise = this.exercises.find((e) => e.id === current.exercise);
    const step = exercise?.steps.find((s) => s.id === current.step);
    if (!exercise || !step) throw new ExerciseError(`the saved current step ${current.exercise}/${current.step} no longer exists`, 'start an exercise again with `resops exercise start N`');
    return { exercise, step };
  }

  /** The current step's text again (no setup). */
  show(): StepView {
    const { exercise, step } = this.current();
    return this.view(exercise, step);
  }

  /**
   * Checks the current step, or `ref` (`02-ansible/playbook`): a step done earlier can be checked
   * again; only the current step moves the learner on when it passes.
   */
  async check(ref?: string): Promise<CheckOutcome> {
    this.snapshot();
    const { exercise, step } = ref ? this.resolveStep(ref) : this.current();
    const isCurrent = this.progress.current?.exercise === exercise.id && this.progress.current.step === step.id;
    const started = Date.now();
    const result = await this.runCheck(exercise, step);
    const p = this.recordCheck(exercise, step, result.message);
    const outcome: CheckOutcome = { exercise: exercise.id, step: step.id, passed: result.passed, message: result.message, seconds: (Date.now() - started) / 1000 };
    if (result.passed && !isDone(p)) {
      p.status = 'passed';
      p.doneAt = this.now().toISOString();
    }
    this.save();
    this.report('check', exercise, step, { passed: result.passed, message: result.message });
    if (result.passed && isCurrent) Object.assign(outcome, await this.advance(exercise, step));
    return outcome;
  }

  /** The next hint of the current step (counted); undefined when all were shown. */
  hint(): { hint?: string; shown: number; total: number; exercise: string; step: string } {
    const { exercise, step } = this.current();
    const p = this.stepState(exercise, step);
    const total = step.hints.length;
    if (p.hintsShown >= total) return { shown: p.hintsShown, total, exercise: exercise.id, step: step.id };
    const hint = step.hints[p.hintsShown]!;
    p.hintsShown += 1;
    this.save();
    this.report('hint', exercise, step, { hintsShown: p.hintsShown });
    return { hint: this.render(hint, exercise, step), shown: p.hintsShown, total, exercise: exercise.id, step: step.id };
  }

  /** Fast-forward: runs the step's solution, then its check; the step is marked solved-by-solution. */
  async solve(): Promise<CheckOutcome> {
    const { exercise, step } = this.current();
    const started = Date.now();
    await this.runScript(exercise, step, 'solve');
    const result = await this.runCheck(exercise, step);
    const p = this.recordCheck(exercise, step, result.message);
    if (!result.passed) {
      this.save();
      this.report('solve', exercise, step, { passed: false, message: result.message });
      throw new ExerciseError(`the solution of ${exercise.id}/${step.id} ran but its check still says: ${result.message}`, 'this is a bug in the exercise: please report it to your instructor');
    }
    if (p.status !== 'passed') {
      p.status = 'solved';
      p.doneAt = this.now().toISOString();
    }
    this.save();
    this.report('solve', exercise, step, { passed: true, message: result.message });
    const outcome: CheckOutcome = { exercise: exercise.id, step: step.id, passed: true, message: result.message, seconds: (Date.now() - started) / 1000 };
    return Object.assign(outcome, await this.advance(exercise, step));
  }

  /**
   * Undoes one step (default: the current one): runs its reset script, forgets its progress and
   * starts it again (setup included).
   */
  async reset(ref?: string): Promise<StepView> {
    this.snapshot();
    const { exercise, step } = ref ? this.resolveStep(ref) : this.current();
    if (step.scripts.reset) await this.runScript(exercise, step, 'reset');
    this.restoreStartingFiles(exercise, step);
    setStepProgress(this.progress, exercise.id, step.id, undefined);
    this.save();
    this.report('reset', exercise, step);
    return this.enter(exercise, step);
  }

  /** `03-containers/one-shard`, or a step id of the current exercise. */
  private resolveStep(ref: string): { exercise: Exercise; step: Step } {
    let exercise: Exercise;
    let stepRef = ref;
    if (ref.includes('/')) {
      const [exerciseRef, rest] = ref.split('/', 2) as [string, string];
      const found = findExercise(this.exercises, exerciseRef);
      if (!found) throw new ExerciseError(`no exercise "${exerciseRef}"`, `exercises: ${this.exercises.map((e) => e.id).join(', ')}`);
      exercise = found;
      stepRef = rest;
    } else {
      exercise = this.current().exercise;
    }
    const step = exercise.steps.find((s) => s.id === stepRef);
    if (!step) throw new ExerciseError(`exercise ${exercise.id} has no step "${stepRef}"`, `steps: ${exercise.steps.map((s) => s.id).join(', ')}`);
    return { exercise, step };
  }

  private async advance(exercise: Exercise, step: Step): Promise<Pick<CheckOutcome, 'next' | 'exerciseComplete'>> {
    const index = exercise.steps.indexOf(step);
    const next = exercise.steps.slice(index + 1).find((s) => !isDone(stepProgress(this.progress, exercise.id, s.id)));
    if (next) return { next: await this.enter(exercise, next) };
    const complete = exercise.steps.every((s) => isDone(stepProgress(this.progress, exercise.id, s.id)));
    if (!complete) return {};
    // Nothing left to check here: "you are on <last step>" would send the learner back to it.
    if (this.progress.current?.exercise === exercise.id) {
      delete this.progress.current;
      this.save();
    }
    return { exerciseComplete: true };
  }

  private async enter(exercise: Exercise, step: Step): Promise<StepView> {
    this.progress.current = { exercise: exercise.id, step: step.id };
    const fresh = stepProgress(this.progress, exercise.id, step.id) === undefined;
    if (fresh) {
      setStepProgress(this.progress, exercise.id, step.id, { status: 'started', startedAt: this.now().toISOString(), hintsShown: 0, checks: 0 });
      // Before setup: reset puts these back and runs setup again, which then adds exactly once.
      this.saveStartingFiles(exercise, step);
    }
    this.save();
    this.report('start', exercise, step);
    const setup = fresh && step.scripts.setup ? await this.runScript(exercise, step, 'setup') : undefined;
    return { ...this.view(exercise, step), ...(setup ? { setup } : {}) };
  }

  private startingFilesDir(exercise: Exercise, step: Step): string {
    return join(exercisesStateDir(this.course), this.learner.id, 'step-start', exercise.id, step.id);
  }

  /**
   * Copies the step's workspace files as they are before its setup; a path with no copy was absent.
   * The `complete` marker, written last, says the copy is whole and may be restored.
   */
  private saveStartingFiles(exercise: Exercise, step: Step): void {
    if (!step.files.length) return;
    const dir = this.startingFilesDir(exercise, step);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'files'), { recursive: true });
    for (const path of step.files) {
      const from = join(this.workspace, path);
      if (existsSync(from)) cpSync(from, join(dir, 'files', path), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    }
    writeFileSync(join(dir, 'complete'), '');
  }

  /** The step's workspace files exactly as they were when it started: the learner's edits since are gone. */
  private restoreStartingFiles(exercise: Exercise, step: Step): void {
    const dir = this.startingFilesDir(exercise, step);
    if (!step.files.length || !existsSync(join(dir, 'complete'))) return;
    for (const path of step.files) {
      const target = join(this.workspace, path);
      rmSync(target, { recursive: true, force: true });
      const saved = join(dir, 'files', path);
      if (existsSync(saved)) cpSync(saved, target, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    }
  }

  /** The step's wrong attempts (its wrong.ts), for the tests and maintainers; none when it has no such file. */
  async wrongAttempts(exercise: Exercise, step: Step): Promise<WrongAttempt[]> {
    if (!step.scripts.wrong) return [];
    const attempts = await this.scriptExport(exercise, step, 'wrong', Array.isArray, 'defineWrongAttempts([…])');
    return (attempts as WrongAttempt[]).filter((w) => !w.targets || w.targets.includes(this.course.target));
  }

  private view(exercise: Exercise, step: Step): StepView {
    const p = stepProgress(this.progress, exercise.id, step.id);
    return {
      exercise: exercise.id,
      exerciseTitle: exercise.title,
      step: step.id,
      stepTitle: step.title,
      position: exercise.steps.indexOf(step) + 1,
      steps: exercise.steps.length,
      text: this.render(readFileSync(step.textFile, 'utf8'), exercise, step),
      hintsLeft: step.hints.length - (p?.hintsShown ?? 0),
    };
  }

  private render(text: string, exercise: Exercise, step: Step): string {
    const lab = this.lab(exercise, step);
    const vars = lab.vars();
    // A text that names the learner's monitoring login gets the file it names.
    if (/\{\{\s*monitoring_netrc\s*\}\}/.test(text)) lab.writeMonitoringNetrc();
    return text.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/g, (whole, name: string) => vars[name] ?? whole);
  }

  private stepState(exercise: Exercise, step: Step): StepProgress {
    let p = stepProgress(this.progress, exercise.id, step.id);
    if (!p) {
      p = { status: 'started', startedAt: this.now().toISOString(), hintsShown: 0, checks: 0 };
      setStepProgress(this.progress, exercise.id, step.id, p);
    }
    return p;
  }

  /** Counts a check of the step and keeps what it said; the caller decides the status and saves. */
  private recordCheck(exercise: Exercise, step: Step, message: string): StepProgress {
    const p = this.stepState(exercise, step);
    p.checks += 1;
    p.lastMessage = message;
    return p;
  }

  private save(): void {
    writeProgress(this.course, this.progress);
  }

  /**
   * Queues the change for the course's dashboard when the learner has one (their dashboard.json):
   * saved first, sent by sendReports(), so a dashboard that is down loses nothing.
   */
  private report(kind: StepKind, exercise: Exercise, step: Step, extra: Pick<StepEvent, 'passed' | 'message' | 'hintsShown'> = {}): void {
    queueReport(exercisesStateDir(this.course), { learner: this.learner.id, at: this.now().toISOString(), kind, exercise: exercise.id, step: step.id, ...extra });
  }

  /** Sends what is queued for the dashboard; undefined when the learner has none. */
  sendReports(): Promise<SendResult | undefined> {
    return sendReports(exercisesStateDir(this.course), this.learner.id);
  }

  lab(exercise: Exercise, step: Step): Lab {
    const p = stepProgress(this.progress, exercise.id, step.id);
    return new Lab({
      course: this.course,
      learner: this.learner,
      workspace: this.workspace,
      ...(this.sshKey ? { sshKey: this.sshKey } : {}),
      stepStartedAt: p ? new Date(p.startedAt) : this.now(),
      stepDir: join(exercise.dir, step.id),
      log: this.log,
    });
  }

  private async load(exercise: Exercise, step: Step, script: StepScript): Promise<StepFunction> {
    const fn = await this.scriptExport(exercise, step, script, (value) => typeof value === 'function', `define${script[0]!.toUpperCase()}${script.slice(1)}(…)`);
    return fn as StepFunction;
  }

  /** A step script's default export, checked to be what `maker` makes. */
  private async scriptExport(exercise: Exercise, step: Step, script: StepScript, isValid: (value: unknown) => boolean, maker: string): Promise<unknown> {
    const file = step.scripts[script];
    if (!file) throw new ExerciseError(`${exercise.id}/${step.id} has no ${script} script`);
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (!isValid(module.default)) throw new ExerciseError(`lab-exercises/${exercise.id}/${step.id}/${script}.ts: its default export must be made with ${maker}`);
    return module.default;
  }

  private async runScript(exercise: Exercise, step: Step, script: StepScript): Promise<string | undefined> {
    const fn = await this.load(exercise, step, script);
    try {
      return (await fn(this.lab(exercise, step))) ?? undefined;
    } catch (error) {
      if (error instanceof StepIncomplete) throw new ExerciseError(`${script} of ${exercise.id}/${step.id} could not finish: ${error.message}`);
      throw error;
    }
  }

  /** A check that throws anything but StepIncomplete is broken or met a broken lab: that propagates. */
  private async runCheck(exercise: Exercise, step: Step): Promise<{ passed: boolean; message: string }> {
    const fn = await this.load(exercise, step, 'check');
    try {
      const message = (await fn(this.lab(exercise, step))) ?? 'done';
      return { passed: true, message };
    } catch (error) {
      if (error instanceof StepIncomplete) return { passed: false, message: error.message };
      throw error;
    }
  }
}
