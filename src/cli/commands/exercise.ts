/**
 * `resops exercise list|start|show|check|hint|solve|reset|progress`: the learner's side of the
 * course (src/exercises/). Texts and results on stdout; the output of long setups and solutions
 * on stderr as progress; `--json` for scripts and the instructor's collection.
 */
import { existsSync } from 'node:fs';
import type { Course, Learner } from '../../course/model.js';
import { CatalogError, findExercise } from '../../exercises/catalog.js';
import { ExerciseEngine, ExerciseError, type CheckOutcome, type ExerciseSummary, type StepView } from '../../exercises/engine.js';
import { readProgress } from '../../exercises/progress.js';
import { resopsCommand } from '../../exercises/resops-command.js';
import { EXIT, print, printError, UsageError, type CliCommand, type OptionValues } from '../command.js';
import { learnerOption, loadCourseArg, parseTarget } from '../course-file.js';
import { formatTable } from '../table.js';

const SUBCOMMANDS = ['list', 'start', 'show', 'check', 'hint', 'solve', 'reset', 'progress'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

function courseFileArg(values: OptionValues): string {
  if (typeof values.course === 'string') return values.course;
  if (process.env.RESOPS_COURSE) return process.env.RESOPS_COURSE;
  if (existsSync('course.yaml')) return 'course.yaml';
  throw new UsageError('which course? no --course given, RESOPS_COURSE is not set and there is no course.yaml here', `e.g. \`${resopsCommand()} exercise list --course examples/course.yaml\` or \`export RESOPS_COURSE=examples/course.yaml\``);
}

function learnerArg(course: Course, values: OptionValues): Learner {
  const learner = learnerOption(course, values.learner);
  if (learner) return learner;
  if (course.learners.length === 1) return course.learners[0]!;
  throw new UsageError(`which learner? course ${course.id} has ${course.learners.length}: ${course.learners.map((l) => l.id).join(', ')}`, 'give --learner ID or set RESOPS_LEARNER');
}

function printStep(view: StepView): void {
  print(`── ${view.exercise} · ${view.exerciseTitle} — step ${view.position}/${view.steps}: ${view.stepTitle}`);
  print();
  print(view.text.trimEnd());
  print();
  if (view.setup) print(`(set up for you: ${view.setup})`);
  print(`when done: \`${resopsCommand()} exercise check\`   stuck: \`${resopsCommand()} exercise hint\` (${view.hintsLeft} left)   skip: \`${resopsCommand()} exercise solve\``);
}

function printOutcome(outcome: CheckOutcome, solved: boolean): void {
  if (outcome.passed) print(`✔ ${outcome.exercise}/${outcome.step}${solved ? ' (solved by the solution)' : ''}: ${outcome.message}`);
  else print(`✘ ${outcome.exercise}/${outcome.step}: ${outcome.message}`);
  if (outcome.next) {
    print();
    printStep(outcome.next);
  } else if (outcome.exerciseComplete) {
    print();
    print(`exercise ${outcome.exercise} complete. See \`${resopsCommand()} exercise list\` for the next one.`);
  }
}

function progressCell(e: ExerciseSummary): string {
  return `${e.done}/${e.steps.length}${e.solvedBySolution ? ` (${e.solvedBySolution} by solution)` : ''}`;
}

function printList(exercises: ExerciseSummary[]): void {
  const rows = exercises.map((e) => [String(e.number).padStart(2, '0'), e.title, `${e.minutes} min`, progressCell(e), e.status]);
  for (const line of formatTable(['#', 'EXERCISE', 'TIME', 'STEPS', 'STATUS'], rows, ['right', 'left', 'right', 'right', 'left'])) print(line);
}

/** Every learner's saved progress (the instructor's view): from the files, nothing run. */
function collectAll(course: Course, engineExercises: ExerciseEngine['exercises']) {
  // Every learner of the course: one who never started shows as 0 done, which is the point.
  return course.learners.map(({ id }) => {
    const progress = readProgress(course, id);
    const total = engineExercises.reduce((n, e) => n + e.steps.length, 0);
    const steps = Object.values(progress.exercises).flatMap((e) => Object.values(e.steps));
    return {
      learner: id,
      current: progress.current ?? null,
      stepsDone: steps.filter((s) => s.status === 'passed' || s.status === 'solved').length,
      solvedBySolution: steps.filter((s) => s.status === 'solved').length,
      hintsShown: steps.reduce((n, s) => n + s.hintsShown, 0),
      steps: total,
      updatedAt: progress.updatedAt,
    };
  });
}

export const command: CliCommand = {
  usage: 'list|start N|show|check [STEP]|hint|solve|reset [STEP]|progress [--course FILE] [--learner ID] [--key FILE] [--workspace DIR] [--json]',
  description: [
    'The course\'s exercises (lab-exercises/), step by step. `start N` shows step text and prepares',
    'it; `check` says exactly what is still missing, or moves you to the next step (`check STEP`',
    're-checks a step done earlier); `hint` shows',
    'the next hint (counted); `solve` applies the step\'s solution (the step counts as solved by the',
    'solution); `reset [STEP]` undoes a step and starts it again; `progress` shows where you are',
    '(`--all`: every learner, for instructors). Progress is saved in the course\'s state directory.',
    'The course file comes from --course, else $RESOPS_COURSE, else ./course.yaml; the learner from',
    '--learner, else $RESOPS_LEARNER (not needed when the course has one learner).',
  ],
  options: {
    course: { type: 'string', valueName: 'FILE', description: 'the course file (default $RESOPS_COURSE, else ./course.yaml)' },
    learner: { type: 'string', valueName: 'ID', description: 'who you are in the course (default $RESOPS_LEARNER)' },
    key: { type: 'string', valueName: 'FILE', description: 'your SSH private key, for checks that log in to your VM (default $RESOPS_SSH_KEY, else ssh\'s default keys)' },
    workspace: { type: 'string', valueName: 'DIR', description: 'where your exercise files go (default $RESOPS_WORKSPACE, else <state dir>/exercises/<learner>/workspace)' },
    target: { type: 'string', valueName: 'T', description: 'target to use instead of the course file\'s' },
    all: { type: 'boolean', description: 'progress: every learner of the course (instructors)' },
    json: { type: 'boolean', description: 'print the result as JSON on stdout' },
  },
  positionals: [1, 2],
  notes: ['exit codes: 0 done / check passed, 1 check not passed yet or the step failed, 2 bad arguments'],
  async run({ values, positionals }) {
    const [sub, arg] = positionals as [string, string | undefined];
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`exercise ${sub}: unknown subcommand`, `use one of: ${SUBCOMMANDS.join(', ')}`);
    if (sub === 'start' && !arg) throw new UsageError('exercise start: which exercise?', `e.g. \`${resopsCommand()} exercise start 0\` (see \`${resopsCommand()} exercise list\`)`);
    if (arg && !['start', 'reset', 'check'].includes(sub)) throw new UsageError(`exercise ${sub} takes no argument (got "${arg}")`);
    const course = loadCourseArg(courseFileArg(values), `exercise ${sub}`, parseTarget(values.target));
    const json = values.json === true;
    const key = typeof values.key === 'string' ? values.key : process.env.RESOPS_SSH_KEY;
    if (key && !existsSync(key)) throw new UsageError(`--key ${key}: no such file`, 'name your SSH private key file');
    const workspace = typeof values.workspace === 'string' ? values.workspace : process.env.RESOPS_WORKSPACE;
    let engine: ExerciseEngine;
    try {
      if (sub === 'progress' && values.all === true) {
        const { loadCatalog } = await import('../../exercises/catalog.js');
        const rows = collectAll(course, loadCatalog());
        if (json) print(JSON.stringify({ course: course.id, learners: rows }, null, 2));
        else for (const line of formatTable(['LEARNER', 'STEPS DONE', 'BY SOLUTION', 'HINTS', 'ON', 'UPDATED'], rows.map((r) => [r.learner, `${r.stepsDone}/${r.steps}`, String(r.solvedBySolution), String(r.hintsShown), r.current ? `${r.current.exercise}/${r.current.step}` : '-', r.updatedAt]))) print(line);
        return EXIT.ok;
      }
      engine = new ExerciseEngine({
        course,
        learner: learnerArg(course, values),
        ...(key ? { sshKey: key } : {}),
        ...(workspace ? { workspace } : {}),
        log: (line) => printError(line),
      });
    } catch (error) {
      if (error instanceof CatalogError) {
        printError('the exercises themselves have problems (lab-exercises/):');
        for (const line of error.message.split('\n')) printError(`  ${line}`);
        return EXIT.failure;
      }
      throw error;
    }
    try {
      return await runSub(engine, sub as Sub, arg, json);
    } catch (error) {
      if (error instanceof ExerciseError) {
        if (json) print(JSON.stringify({ error: error.message, ...(error.hint ? { hint: error.hint } : {}) }, null, 2));
        printError(`exercise ${sub}: ${error.message}`);
        if (error.hint) printError(`  ${error.hint}`);
        return EXIT.failure;
      }
      throw error;
    } finally {
      // Also after a failed check: the failure is progress the instructor wants to see.
      const sent = await engine.sendReports();
      if (sent?.problem) printError(`note: ${sent.problem}`);
    }
  },
};

async function runSub(engine: ExerciseEngine, sub: Sub, arg: string | undefined, json: boolean): Promise<number> {
  const out = (value: unknown) => print(JSON.stringify(value, null, 2));
  switch (sub) {
    case 'list':
    case 'progress': {
      const list = engine.list();
      const current = engine.snapshot().current ?? null;
      if (json) out({ course: engine.course.id, learner: engine.learner.id, workspace: engine.workspace, current, exercises: list });
      else {
        printList(list);
        print();
        const next = list.find((e) => e.status !== 'complete');
        if (current) print(`you are on ${current.exercise}/${current.step}: \`${resopsCommand()} exercise show\` shows it again`);
        else if (!next) print('every exercise is complete');
        else print(`next: \`${resopsCommand()} exercise start ${next.number}\` (${next.id}${next.status === 'in progress' ? ', in progress' : ''})`);
        if (sub === 'progress') {
          const done = list.reduce((n, e) => n + e.done, 0);
          const total = list.reduce((n, e) => n + e.steps.length, 0);
          print(`${done}/${total} steps done, ${list.reduce((n, e) => n + e.solvedBySolution, 0)} by solution, ${list.reduce((n, e) => n + e.steps.reduce((h, s) => h + s.hintsShown, 0), 0)} hints used`);
        }
      }
      return EXIT.ok;
    }
    case 'start': {
      const exercise = findExercise(engine.exercises, arg!);
      const missing = exercise ? engine.unfinishedPrerequisites(exercise) : [];
      if (missing.length && !json) printError(`note: ${exercise!.id} builds on ${missing.join(', ')}, not finished yet`);
      const view = await engine.start(arg!);
      if ('complete' in view) {
        if (json) out(view);
        else print(`exercise ${view.exercise} is complete; \`${resopsCommand()} exercise reset ${view.exercise}/STEP\` redoes a step`);
        return EXIT.ok;
      }
      if (json) out(view);
      else printStep(view);
      return EXIT.ok;
    }
    case 'show': {
      const view = engine.show();
      if (json) out(view);
      else printStep(view);
      return EXIT.ok;
    }
    case 'check':
    case 'solve': {
      const outcome = sub === 'check' ? await engine.check(arg) : await engine.solve();
      // The verdict is what the learner must read last: progress written to stderr goes out first.
      await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
      if (json) out(outcome);
      else printOutcome(outcome, sub === 'solve');
      return outcome.passed ? EXIT.ok : EXIT.failure;
    }
    case 'hint': {
      const hint = engine.hint();
      if (json) out(hint);
      else if (hint.hint) print(`hint ${hint.shown}/${hint.total} for ${hint.exercise}/${hint.step}: ${hint.hint}`);
      else print(`no more hints for ${hint.exercise}/${hint.step} (${hint.total} shown); \`${resopsCommand()} exercise solve\` applies the solution`);
      return EXIT.ok;
    }
    case 'reset': {
      const view = await engine.reset(arg);
      if (json) out(view);
      else {
        print(`reset ${view.exercise}/${view.step}: its effects are undone and it starts again`);
        print();
        printStep(view);
      }
      return EXIT.ok;
    }
  }
}
