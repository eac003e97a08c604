/**
 * The exercise engine and catalog without Docker: a small exercise folder in test/fixtures whose
 * scripts only touch the workspace, driven through the engine and through the CLI; the real
 * lab-exercises/ catalog loads and every variable its texts use exists; broken exercise files are
 * reported with file, line and field.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { gnocchiAdmin, gnocchiLearner } from '../src/access/gnocchi-users.js';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { CatalogError, exercisesFor, loadCatalog } from '../src/exercises/catalog.js';
import { ExerciseEngine, ExerciseError, type StepView } from '../src/exercises/engine.js';
import { Lab } from '../src/exercises/lab.js';
import { progressFile, readProgress } from '../src/exercises/progress.js';
import { RESOPS_BIN, resopsCommand } from '../src/exercises/resops-command.js';
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
    // Paths in texts are absolute: the learner may have cd'ed anywhere since.
    expect(e.hint()).toMatchObject({ hint: `The file is notes/hello.txt in ${e.workspace}.`, shown: 1, total: 2 });
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

  it('reset puts the step\'s files back as they were before its setup, so setup adds once, and the learner\'s edits go', async () => {
    const e = engine();
    await e.start('0');
    await e.solve();
    const plan = join(e.workspace, 'plan.txt');
    expect(readFileSync(plan, 'utf8')).toBe('- task\n');
    writeFileSync(plan, '- task\n- my edit\n');
    mkdirSync(join(e.workspace, 'drafts'));
    writeFileSync(join(e.workspace, 'drafts', 'a.txt'), 'draft');
    expect(await e.reset()).toMatchObject({ step: 'second', setup: 'a task was added to plan.txt' });
    expect(readFileSync(plan, 'utf8')).toBe('- task\n');
    expect(existsSync(join(e.workspace, 'drafts'))).toBe(false);

    // A file the learner had before the step started is kept as it was then.
    const other = engine(1);
    await other.start('0');
    writeFileSync(join(other.workspace, 'plan.txt'), 'mine\n');
    await other.solve();
    writeFileSync(join(other.workspace, 'plan.txt'), 'mine\n- task\n- task\n');
    await other.reset('00-notes/second');
    expect(readFileSync(join(other.workspace, 'plan.txt'), 'utf8')).toBe('mine\n- task\n');
  });

  it('wrong attempts load per target: one for local, one more for openstack', async () => {
    const e = engine();
    const [exercise] = e.exercises;
    const attempts = await e.wrongAttempts(exercise!, exercise!.steps[1]!);
    expect(attempts.map((a) => a.name)).toEqual(['writes done.md instead of done.txt']);
    expect(await e.wrongAttempts(exercise!, exercise!.steps[0]!)).toEqual([]);
  });

  it('the private key given once is remembered for the learner: later checks and the ssh command use it', async () => {
    const key = join(temp, `key-${n}`);
    writeFileSync(key, 'not a real key', { mode: 0o600 });
    expect(new ExerciseEngine({ course, learner: course.learners[0]!, catalog: loadCatalog(FIXTURES), sshKey: key }).key).toBe(key);
    const later = engine();
    expect(later.key).toBe(key);
    expect(later.lab(later.exercises[0]!, later.exercises[0]!.steps[0]!).vars().ssh).toContain(`-i ${key}`);
    expect(readFileSync(progressFile(course, course.learners[0]!.id), 'utf8')).not.toContain('not a real key');
    expect(engine(1).key).toBeUndefined();
    // A key file that is gone is not offered to ssh.
    rmSync(key);
    expect(engine().key).toBeUndefined();
  });

  it('after an exercise\'s last step no step is current, and progress names the next exercise', async () => {
    const e = engine();
    await e.start('0');
    await e.solve();
    expect(await e.solve()).toMatchObject({ exerciseComplete: true });
    expect(e.snapshot().current).toBeUndefined();
    await expect(e.check()).rejects.toThrow('no step in progress');
    // A step done earlier can be checked again by name; that moves nobody anywhere.
    expect(await e.check('00-notes/write-note')).toMatchObject({ passed: true, step: 'write-note' });
    expect((await e.check('00-notes/write-note')).next).toBeUndefined();
    expect(e.snapshot().current).toBeUndefined();
    const shown = cli('progress', '--learner', course.learners[0]!.id);
    expect(shown.stdout).toContain(`next: \`${resopsCommand()} exercise start 1\` (01-other)`);
    expect(shown.stdout).not.toContain('you are on');
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

  it('in a terminal the verdict of a check is the last thing printed, after the check\'s progress lines', async () => {
    const e = engine();
    await e.start('1');
    // script(1) gives the CLI a terminal, where stdout and stderr interleave as the learner sees them.
    const command = [process.execPath, BIN, 'exercise', 'check', '--course', course.file, '--learner', course.learners[0]!.id].map((a) => `'${a}'`).join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RESOPS_EXERCISES_DIR: FIXTURES }, timeout: 60_000 });
    const lines = result.stdout.split(/\r?\n/).filter((l) => l.trim());
    expect(lines.filter((l) => l.includes('TASK [step'))).toHaveLength(200);
    expect(lines.at(-1)).toBe('✘ 01-other/only: this check never passes');
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

  it('a scaling experiment\'s worker counts fit the target: any on the local target, at most the course\'s worker VMs on openstack', () => {
    const example = loadCourse(join(ROOT, 'examples', 'course.yaml'));
    const lab = (target: 'local' | 'openstack', workers: number) => new Lab({ course: { ...example, target, pipeline: { ...example.pipeline, workers } }, learner: example.learners[0]!, workspace: '/w', stepStartedAt: new Date(), stepDir: '/s', log: () => undefined });
    expect([lab('local', 2).scaleCounts(), lab('openstack', 2).scaleCounts(), lab('openstack', 4).scaleCounts(), lab('openstack', 1).scaleCounts()]).toEqual(['1,2,4', '1,2', '1,2,4', '1']);
    expect(lab('openstack', 2).vars().scale_workers).toBe('1,2');
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

  it('every step has at least two wrong attempts on the local target, each with a name, an attempt and an answer', async () => {
    const example = loadCourse(join(ROOT, 'examples', 'course.yaml'));
    const e = new ExerciseEngine({ course: example, learner: example.learners[0]!, workspace: join(temp, 'ws-wrong') });
    const short: string[] = [];
    for (const exercise of e.exercises) {
      for (const step of exercise.steps) {
        const attempts = await e.wrongAttempts(exercise, step);
        if (attempts.length < 2) short.push(`${exercise.id}/${step.id}: ${attempts.length}`);
        for (const a of attempts) expect(a.name && typeof a.attempt === 'function' && typeof a.says === 'function', `${exercise.id}/${step.id}`).toBeTruthy();
        expect(new Set(attempts.map((a) => a.name)).size, `${exercise.id}/${step.id}: two attempts with one name`).toBe(attempts.length);
      }
    }
    expect(short).toEqual([]);
  });

  it('no text, hint or script shows a command that could fetch and run a package (npx)', () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, name.name);
        if (name.isDirectory()) walk(path);
        else if (/\.(md|ya?ml|ts)$/.test(name.name)) readFileSync(path, 'utf8').split('\n').forEach((line, i) => /\bnpx\b/.test(line) && found.push(`${path.slice(ROOT.length)}:${i + 1}: ${line.trim()}`));
      }
    };
    walk(join(ROOT, 'lab-exercises'));
    for (const file of ['lab.ts', 'engine.ts']) readFileSync(join(ROOT, 'src', 'exercises', file), 'utf8').split('\n').forEach((line, i) => /`[^`]*\bnpx resops/.test(line) && found.push(`src/exercises/${file}:${i + 1}`));
    expect(found).toEqual([]);
    expect(resopsCommand()).not.toMatch(/npx/);
  });

  it('resops is shown as `resops` only when that name on PATH is this toolkit, never through node_modules/.bin', () => {
    const bin = join(temp, `bin-${n}`);
    mkdirSync(bin);
    symlinkSync(RESOPS_BIN, join(bin, 'resops'));
    expect(resopsCommand(`/nowhere:${bin}`)).toBe('resops');
    expect(resopsCommand('/nowhere')).toBe(`node ${RESOPS_BIN}`);
    expect(resopsCommand(join(ROOT, 'node_modules', '.bin'))).toBe(`node ${RESOPS_BIN}`);
    const other = join(temp, `other-${n}`);
    mkdirSync(other);
    writeFileSync(join(other, 'resops'), '#!/bin/sh\n', { mode: 0o755 });
    expect(resopsCommand(other)).toBe(`node ${RESOPS_BIN}`);
  });

  it("the learner's Gnocchi login: a netrc in their workspace (0600) with their own user and password, not admin's; the text names only its path", () => {
    expect(course.monitoring.enabled).toBe(true);
    const workspace = join(temp, `ws-${n}`);
    const lab = new Lab({ course, learner: course.learners[1]!, workspace, stepStartedAt: new Date(), stepDir: '/s', log: () => undefined });
    const file = lab.writeMonitoringNetrc();
    expect(file).toBe(lab.vars().monitoring_netrc);
    const { user, password } = gnocchiLearner(course, course.learners[1]!.id);
    expect(readFileSync(file, 'utf8')).toBe(`machine 127.0.0.1 login ${user} password ${password}\n`);
    expect(user).not.toBe('admin');
    expect(password).not.toBe(gnocchiAdmin(course).password);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(ROOT, 'lab-exercises', '06-monitoring', 'gnocchi', 'text.md'), 'utf8');
    expect(text).toContain('--netrc-file {{monitoring_netrc}}');
    expect(text).not.toMatch(/-u admin|admin:/);
  });

  it('every path in a text starts from a variable, and the toolkit\'s own paths exist', () => {
    const example = loadCourse(join(ROOT, 'examples', 'course.yaml'));
    const lab = new Lab({ course: example, learner: example.learners[0]!, workspace: '/w', stepStartedAt: new Date(), stepDir: '/s', log: () => undefined });
    const vars = lab.vars();
    const bad: string[] = [];
    for (const exercise of loadCatalog()) {
      for (const step of exercise.steps) {
        for (const text of [readFileSync(step.textFile, 'utf8'), ...step.hints]) {
          for (const [, span] of text.matchAll(/`([^`\s]*\/[^`\s]*)`/g)) {
            // Not paths: URLs, CIDRs, image names, absolute paths on the VM, home-relative ones.
            if (/^(https?:|\/|~|resops\/)|^\d+\.\d+\.\d+\.\d+\//.test(span!)) continue;
            if (!span!.startsWith('{{')) bad.push(`${exercise.id}/${step.id}: \`${span}\` is relative: render it from a variable`);
            if (span!.startsWith('{{project}}/')) {
              const path = span!.replace('{{project}}', vars.project!);
              if (!existsSync(path)) bad.push(`${exercise.id}/${step.id}: ${span} does not exist`);
            }
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('a pipeline run counts from its start in its id: a copied or touched report is not a new run', () => {
    const dir = join(temp, `runs-${n}`);
    const lab = new Lab({ course: { ...course, dir, stateDir: 'state' }, learner: course.learners[0]!, workspace: join(dir, 'w'), stepStartedAt: new Date('2026-12-01T12:30:00Z'), stepDir: '/s', log: () => undefined });
    const report = (folder: string, run: string) => {
      mkdirSync(join(dir, 'state', 'pipeline', folder), { recursive: true });
      writeFileSync(join(dir, 'state', 'pipeline', folder, 'report.json'), JSON.stringify({ run, workers: 1, shards: 1 }));
    };
    report('run-20261201-120000-aaaaaa', 'run-20261201-120000-aaaaaa');
    report('run-20261201-130000-bbbbbb', 'run-20261201-120000-aaaaaa');
    report('run-20261201-130500-cccccc', 'run-20261201-130500-cccccc');
    report('my-run', 'my-run');
    expect(lab.pipelineRuns().map((r) => r.run)).toEqual(['run-20261201-130500-cccccc']);
    expect(lab.pipelineRuns(new Date(0)).map((r) => r.run)).toEqual(['run-20261201-120000-aaaaaa', 'run-20261201-130500-cccccc']);
    // A run started in the step's first second counts, although run ids have whole seconds.
    const sameSecond = new Lab({ course: { ...course, dir, stateDir: 'state' }, learner: course.learners[0]!, workspace: join(dir, 'w'), stepStartedAt: new Date('2026-12-01T13:05:00.700Z'), stepDir: '/s', log: () => undefined });
    expect(sameSecond.pipelineRuns().map((r) => r.run)).toEqual(['run-20261201-130500-cccccc']);
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
    expect(messages).toContainEqual('00-notes/exercise.yaml:1 minutes: required field is missing');
    // The course file's reader: columns too, as `validate` prints them.
    expect(error.message).toMatch(/00-notes\/exercise\.yaml:2:1 minutse: unknown field; did you mean `minutes`\?/);
    expect(messages).toContainEqual('00-notes/exercise.yaml:12 steps[1].id: "write-note" is used by another step of this exercise');
    expect(messages).toHaveLength(5);
    expect(messages.some((m) => m.startsWith('01-other/exercise.yaml:0 prerequisites: no exercise "00-note"'))).toBe(true);
  });

  it('reads exercise.yaml as the course file is read: wrong types, empty lists and paths out of the workspace, each where it is written', () => {
    const error = brokenCopy((dir) => {
      const file = join(dir, '00-notes', 'exercise.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('minutes: 5', 'minutes: five').replace('objectives:\n  - Write a note', 'objectives: []').replace('files: [plan.txt, drafts]', 'files: [plan.txt, ../../etc]'));
    });
    const messages = error.issues.map((i) => `${i.file.replace(/.*catalog-[^/]+\//, '')}:${i.line}:${i.column} ${i.field}: ${i.message}`);
    expect(messages).toEqual([
      '00-notes/exercise.yaml:2:10 minutes: expected a whole number, got "five"',
      '00-notes/exercise.yaml:3:13 objectives: is empty: give at least one',
      expect.stringMatching(/^00-notes\/exercise\.yaml:\d+:\d+ steps\[1\]\.files\[1\]: "\.\.\/\.\.\/etc" must be a path inside the workspace \(relative, no \.\.\)$/),
      // An exercise with problems is left out, so whatever builds on it says so too.
      '01-other/exercise.yaml:0:0 prerequisites: no exercise "00-notes"',
    ]);
  });

  it('a step of one target is left out of the other\'s exercise; a target that does not exist is refused where it is written', () => {
    const dir = mkdtempSync(join(temp, 'catalog-'));
    cpSync(FIXTURES, dir, { recursive: true });
    const file = join(dir, '00-notes', 'exercise.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    fresh_failure: "no done.txt"', '    fresh_failure: "no done.txt"\n    targets: [openstack]'));
    const both = loadCatalog(dir);
    expect(both[0]!.steps.map((s) => [s.id, s.targets])).toEqual([['write-note', ['local', 'openstack']], ['second', ['openstack']]]);
    expect(exercisesFor(both, 'local')[0]!.steps.map((s) => s.id)).toEqual(['write-note']);
    expect(exercisesFor(both, 'openstack')[0]!.steps.map((s) => s.id)).toEqual(['write-note', 'second']);
    // The engine of a local course never shows the openstack step: finishing write-note finishes the exercise.
    const local = new ExerciseEngine({ course, learner: course.learners[0]!, catalog: both });
    expect(local.exercises[0]!.steps.map((s) => s.id)).toEqual(['write-note']);

    writeFileSync(file, readFileSync(file, 'utf8').replace('targets: [openstack]', 'targets: [openstak]'));
    const error = (() => {
      try {
        loadCatalog(dir);
      } catch (e) {
        return e as CatalogError;
      }
      throw new Error('loaded');
    })();
    expect(error.issues.map((i) => `${i.line} ${i.field}: ${i.message}`)[0]).toBe('15 steps[1].targets[0]: "openstak" is not a target: local or openstack; did you mean `openstack`?');
  });

  it('a folder not named NN-slug is refused', () => {
    const error = brokenCopy((dir) => cpSync(join(dir, '01-other'), join(dir, 'Other'), { recursive: true }));
    expect(error.message).toMatch(/Other: exercise folders are named NN-slug/);
  });
});
