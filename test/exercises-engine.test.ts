/**
 * The exercise engine and catalog without Docker: a small exercise folder in test/fixtures whose
 * scripts only touch the workspace, driven through the engine and through the CLI; the real
 * lab-exercises/ catalog loads and every variable its texts use exists; broken exercise files are
 * reported with file, line and field.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { CatalogError, loadCatalog } from '../src/exercises/catalog.js';
import { ExerciseEngine, ExerciseError, type StepView } from '../src/exercises/engine.js';
import { Lab } from '../src/exercises/lab.js';
import { progressFile, readProgress } from '../src/exercises/progress.js';
import { courseYaml } from './helpers/course-yaml.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures', 'exercises');
const BIN = join(ROOT, 'bin', 'resops.mjs');
const temp = mkdtempSync(join(tmpdir(), 'resops-exercises-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let course: Course;
let n = 0;
beforeEach(() => {
  // A fresh course (and so a fresh state directory) per test.
  const file = join(temp, `course${++n}.yaml`);
  writeFileSync(file, courseYaml({ id: `ex-${n}`, learners: 2, target: 'local' }).replace(/^target: local$/m, `target: local\nstate_dir: c${n}/state`));
  course = loadCourse(file);
});

const engine = (learner = 0) => new ExerciseEngine({ course, learner: course.learners[learner]!, catalog: loadCatalog(FIXTURES) });
const isView = (v: StepView | { complete: true }): v is StepView => !('complete' in v);

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'exercise', ...args, '--course', course.file], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, RESOPS_EXERCISES_DIR: FIXTURES },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('exercise engine on a fixture exercise', () => {
  it('start shows the rendered text and runs setup once; check says what is missing', async () => {
    const e = engine();
    const view = await e.start('0');
    expect(isView(view) && view.text).toContain(`saying ${course.learners[0]!.id}`);
    expect(isView(view) && view.setup).toBe('setup run 1');
    expect(readFileSync(join(e.workspace, 'setup-count'), 'utf8')).toBe('1');
    await e.start('00-notes');
    expect(readFileSync(join(e.workspace, 'setup-count'), 'utf8')).toBe('1');

    const outcome = await e.check();
    expect(outcome.passed).toBe(false);
    expect(outcome.message).toBe(`no note at ${join(e.workspace, 'notes', 'hello.txt')}`);
    expect(readProgress(course, course.learners[0]!.id).exercises['00-notes']!.steps['write-note']).toMatchObject({ status: 'started', checks: 1 });
  });

  it('a pass moves to the next step and finishing every step completes the exercise', async () => {
    const e = engine();
    await e.start('notes');
    writeFileSync(join(e.workspace, 'notes', 'hello.txt'), `I am ${course.learners[0]!.id}`);
    const first = await e.check();
    expect(first).toMatchObject({ passed: true, message: 'the note is there', next: { step: 'second', position: 2, steps: 2 } });
    expect(first.exerciseComplete).toBeUndefined();
    writeFileSync(join(e.workspace, 'done.txt'), 'x');
    expect(await e.check()).toMatchObject({ passed: true, exerciseComplete: true });
    expect(e.list().find((x) => x.id === '00-notes')).toMatchObject({ status: 'complete', done: 2, solvedBySolution: 0 });
    expect(await e.start('0')).toEqual({ exercise: '00-notes', complete: true });
  });

  it('hints come one at a time, are counted, and run out', async () => {
    const e = engine();
    await e.start('0');
    expect(e.hint()).toMatchObject({ hint: `The file is notes/hello.txt in ${e.workspace.replace(`${process.cwd()}/`, '')}.`, shown: 1, total: 2 });
    expect(e.hint()).toMatchObject({ hint: `It must contain ${course.learners[0]!.id}.`, shown: 2 });
    expect(e.hint().hint).toBeUndefined();
    expect(readProgress(course, course.learners[0]!.id).exercises['00-notes']!.steps['write-note']!.hintsShown).toBe(2);
  });

  it('solve applies the solution and marks the step solved by it; a broken solution is reported', async () => {
    const e = engine();
    await e.start('0');
    expect(await e.solve()).toMatchObject({ passed: true, step: 'write-note', next: { step: 'second' } });
    expect(readProgress(course, course.learners[0]!.id).exercises['00-notes']!.steps['write-note']!.status).toBe('solved');
    await e.start('1');
    await expect(e.solve()).rejects.toThrow(/the solution of 01-other\/only ran but its check still says: this check never passes/);
  });

  it('reset undoes one step and starts it again (its setup runs again)', async () => {
    const e = engine();
    await e.start('0');
    await e.solve();
    const view = await e.reset('00-notes/write-note');
    expect(view).toMatchObject({ step: 'write-note', setup: 'setup run 2' });
    expect(existsSync(join(e.workspace, 'notes', 'hello.txt'))).toBe(false);
    expect(readProgress(course, course.learners[0]!.id).exercises['00-notes']!.steps['write-note']).toMatchObject({ status: 'started', checks: 0, hintsShown: 0 });
    await expect(e.reset('00-notes/nope')).rejects.toThrow(ExerciseError);
  });

  it('progress is per learner, written atomically, and survives a new process', async () => {
    const e = engine(0);
    await e.start('0');
    await e.solve();
    e.hint();
    const dir = join(progressFile(course, course.learners[0]!.id), '..');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(engine(1).list().every((x) => x.status === 'todo')).toBe(true);

    const listed = cli('progress', '--json', '--learner', course.learners[0]!.id);
    expect(listed.code).toBe(0);
    const json = JSON.parse(listed.stdout) as { current: { exercise: string; step: string }; exercises: Array<{ id: string; steps: Array<{ id: string; status: string; hintsShown: number }> }> };
    expect(json.current).toEqual({ exercise: '00-notes', step: 'second' });
    expect(json.exercises[0]!.steps.map((s) => [s.id, s.status, s.hintsShown])).toEqual([['write-note', 'solved', 0], ['second', 'started', 1]]);

    const all = JSON.parse(cli('progress', '--all', '--json').stdout) as { learners: Array<{ learner: string; stepsDone: number; hintsShown: number }> };
    expect(all.learners.map((l) => [l.learner, l.stepsDone, l.hintsShown])).toEqual([[course.learners[0]!.id, 1, 1], [course.learners[1]!.id, 0, 0]]);
  });

  it('through the CLI: check exits 1 with the message, then 0 once the file is written', () => {
    const learner = ['--learner', course.learners[1]!.id];
    expect(cli('start', '0', ...learner).stdout).toContain('step 1/2: Write a note');
    const failed = cli('check', ...learner);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/✘ 00-notes\/write-note: no note at .*hello\.txt/);
    const e = engine(1);
    writeFileSync(join(e.workspace, 'notes', 'hello.txt'), course.learners[1]!.id);
    const passed = cli('check', ...learner);
    expect(passed.code).toBe(0);
    expect(passed.stdout).toContain('✔ 00-notes/write-note: the note is there');
    expect(passed.stdout).toContain('step 2/2: A second file');
  });

  it('a corrupt progress file is an error naming it, and is left alone', async () => {
    const e = engine();
    await e.start('0');
    const file = progressFile(course, course.learners[0]!.id);
    writeFileSync(file, '{ not json');
    expect(() => engine()).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));
    expect(readFileSync(file, 'utf8')).toBe('{ not json');
  });

  it('CLI usage errors: unknown subcommand, several learners and none chosen, unknown learner', () => {
    expect(cli('dance').code).toBe(2);
    const which = cli('list');
    expect(which.code).toBe(2);
    expect(which.stderr).toContain(`which learner? course ${course.id} has 2`);
    const unknown = cli('list', '--learner', 'zoe');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no learner "zoe"');
  });
});

describe('exercise catalog', () => {
  it('the course\'s exercises load: 00 to 08, each step with text, check and solve', () => {
    const exercises = loadCatalog();
    expect(exercises.map((e) => e.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    for (const step of exercises.flatMap((e) => e.steps)) {
      expect(existsSync(step.textFile)).toBe(true);
      expect(step.scripts.check && step.scripts.solve).toBeTruthy();
      expect(step.hints.length).toBeGreaterThan(0);
    }
  });

  it('every {{variable}} in the texts and hints is one the lab provides', () => {
    const example = loadCourse(join(ROOT, 'examples', 'course.yaml'));
    const vars = new Lab({ course: example, learner: example.learners[0]!, workspace: '/w', stepStartedAt: new Date(), stepDir: '/s', log: () => undefined }).vars();
    const unknown: string[] = [];
    for (const exercise of loadCatalog()) {
      for (const step of exercise.steps) {
        for (const text of [readFileSync(step.textFile, 'utf8'), ...step.hints]) {
          for (const [, name] of text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)) if (!(name! in vars)) unknown.push(`${exercise.id}/${step.id}: {{${name}}}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  function brokenCopy(edit: (dir: string) => void): CatalogError {
    const dir = mkdtempSync(join(temp, 'catalog-'));
    cpSync(FIXTURES, dir, { recursive: true });
    edit(dir);
    try {
      loadCatalog(dir);
    } catch (error) {
      if (error instanceof CatalogError) return error;
      throw error;
    }
    throw new Error('the broken catalog loaded');
  }

  it('reports every problem with file, line and field', () => {
    const error = brokenCopy((dir) => {
      const file = join(dir, '00-notes', 'exercise.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('minutes: 5', 'minutse: 5').replace('id: second', 'id: write-note'));
      rmSync(join(dir, '00-notes', 'write-note', 'solve.ts'));
      const other = join(dir, '01-other', 'exercise.yaml');
      writeFileSync(other, readFileSync(other, 'utf8').replace('[00-notes]', '[00-note]'));
    });
    const messages = error.issues.map((i) => `${i.file.replace(/.*catalog-[^/]+\//, '')}:${i.line} ${i.field}: ${i.message}`);
    expect(messages).toContainEqual('00-notes/exercise.yaml:2 minutse: unknown field; did you mean `minutes`?');
    expect(messages.some((m) => /^00-notes\/exercise\.yaml:6 steps\[0\]\.id: .*00-notes\/write-note\/solve\.ts is missing/.test(m))).toBe(true);
    expect(messages).toContainEqual('00-notes/exercise.yaml:0 minutes: required: the estimated minutes, a whole number > 0');
    expect(messages).toContainEqual('00-notes/exercise.yaml:12 steps[1].id: "write-note" is used by another step of this exercise');
    expect(messages).toHaveLength(5);
    expect(messages.some((m) => m.startsWith('01-other/exercise.yaml:0 prerequisites: no exercise "00-note"'))).toBe(true);
  });

  it('a folder not named NN-slug is refused', () => {
    const error = brokenCopy((dir) => cpSync(join(dir, '01-other'), join(dir, 'Other'), { recursive: true }));
    expect(error.message).toMatch(/Other: exercise folders are named NN-slug/);
  });
});
