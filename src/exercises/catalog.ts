/**
 * The exercises of lab-exercises/: one folder `NN-slug/` each, with `exercise.yaml` and one folder
 * per step holding `text.md`, `check.ts`, `solve.ts` and optionally `setup.ts` and `reset.ts`.
 * Loading validates everything up front so a maintainer's typo is reported with its file, line
 * and field before any learner meets it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suggestion } from '../course/did-you-mean.js';
import { Fields, stringItem } from '../course/fields.js';
import { IssueList, NOWHERE } from '../course/issues.js';
import { formatIssue, type Target } from '../course/model.js';
import { YamlSource } from '../course/yaml-positions.js';

export const LAB_EXERCISES_DIR = fileURLToPath(new URL('../../lab-exercises/', import.meta.url));

/** `wrong` holds the step's wrong attempts: mistakes the check must reject (the tests run them). */
export const STEP_SCRIPTS = ['check', 'solve', 'setup', 'reset', 'wrong'] as const;
export type StepScript = (typeof STEP_SCRIPTS)[number];

export interface Step {
  /** Folder name inside the exercise, e.g. `lab-up`. */
  id: string;
  title: string;
  /** Absolute path of the step's Markdown text. */
  textFile: string;
  /** Absolute paths of the scripts present (check and solve always are). */
  scripts: Partial<Record<StepScript, string>>;
  hints: string[];
  /**
   * What the check says on a fresh environment (a substring of its message): the exercise tests
   * assert it, so a check that fails for the wrong reason is caught.
   */
  freshFailure: string;
  /**
   * Workspace paths (files or folders) holding the step's work: saved when the step starts and
   * put back as they were by `reset`, so a reset restores exactly the step's starting state.
   */
  files: string[];
  /**
   * The targets the step exists on (default: both). A step that only makes sense where a real
   * cloud answers (applying the learner's own stack) is left out of the other target's exercise.
   */
  targets: Target[];
}

export interface Exercise {
  /** Folder name, e.g. `03-containers`. */
  id: string;
  /** The NN of the folder name. */
  number: number;
  dir: string;
  title: string;
  minutes: number;
  objectives: string[];
  /** Exercise ids to finish first. */
  prerequisites: string[];
  steps: Step[];
}

export interface CatalogIssue {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

/** `file:line:column field: message`, as the course file's problems are written. */
export function formatCatalogIssue(issue: CatalogIssue): string {
  return formatIssue({ file: issue.file, line: issue.line, column: issue.column, path: issue.field, message: issue.message });
}

/** Every problem of every exercise file, not just the first. */
export class CatalogError extends Error {
  constructor(readonly issues: CatalogIssue[]) {
    super(issues.map(formatCatalogIssue).join('\n'));
    this.name = 'CatalogError';
  }
}

const FOLDER = /^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const STEP_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const EXERCISE_FIELDS = ['title', 'minutes', 'objectives', 'prerequisites', 'steps'];
const STEP_FIELDS = ['id', 'title', 'hints', 'fresh_failure', 'files', 'targets'];
const TARGETS: readonly Target[] = ['local', 'openstack'];

/** A list of non-empty texts (objectives, hints, paths), or [] with the problem reported. */
function texts(fields: Fields, key: string, required: boolean): string[] {
  const items = fields.list(key, { required, what: 'a list of texts' });
  if (!items) return [];
  if (required && !items.length) fields.problem(key, 'is empty: give at least one');
  const out: string[] = [];
  for (const item of items) {
    const text = stringItem(fields.source, item);
    if (text && text.value.trim() === '') fields.source.issues.add(fields.source.file, item.spot, item.path, 'is empty');
    else if (text) out.push(text.value.trim());
  }
  return out;
}

/**
 * Reads one exercise.yaml with the course file's reader (src/course/fields.ts): every problem
 * with its line, column and field, and suggestions for misspelt fields.
 */
function readExercise(root: string, base: string, folder: string, issues: IssueList): Exercise | undefined {
  const dir = join(root, folder);
  const file = join(dir, 'exercise.yaml');
  const shown = `${base}/${folder}/exercise.yaml`;
  if (!existsSync(file)) {
    issues.add(`${base}/${folder}`, NOWHERE, '', 'no exercise.yaml in this exercise folder');
    return undefined;
  }
  const before = issues.count;
  const source = YamlSource.parse(readFileSync(file, 'utf8'), shown, issues);
  if (!source) return undefined;
  const top = Fields.of(source, source.doc.contents, '', source.spotOf(source.doc.contents), EXERCISE_FIELDS, 'a mapping with title, minutes, objectives, steps');
  if (!top) return undefined;
  const title = top.string('title', { required: true })?.value.trim() ?? '';
  const minutes = top.integer('minutes', { required: true, min: 1, max: 600 })?.value ?? 0;
  const objectives = texts(top, 'objectives', true);
  const prerequisites = texts(top, 'prerequisites', false);
  const items = top.list('steps', { required: true, what: 'a list of steps' }) ?? [];
  if (top.node('steps') !== undefined && !items.length) top.problem('steps', 'is empty: give at least one step');
  const steps: Step[] = [];
  for (const item of items) {
    const fields = Fields.of(source, item.node, item.path, item.spot, STEP_FIELDS, 'a mapping with id, title, hints, fresh_failure');
    if (!fields) continue;
    const id = fields.string('id', { required: true })?.value ?? '';
    const stepDir = join(dir, id);
    const scripts: Partial<Record<StepScript, string>> = {};
    if (id && !STEP_ID.test(id)) fields.problem('id', `"${id}" is not a step folder name (lowercase letters, digits and dashes)`);
    else if (id && steps.some((s) => s.id === id)) fields.problem('id', `"${id}" is used by another step of this exercise`);
    else if (id) {
      if (!existsSync(join(stepDir, 'text.md'))) fields.problem('id', `${base}/${folder}/${id}/text.md is missing`);
      for (const script of STEP_SCRIPTS) {
        const path = join(stepDir, `${script}.ts`);
        if (existsSync(path)) scripts[script] = path;
        else if (script === 'check' || script === 'solve') fields.problem('id', `${base}/${folder}/${id}/${script}.ts is missing (every step has a check and a solve)`);
      }
    }
    const files = texts(fields, 'files', false);
    files.forEach((path, i) => {
      // Reset deletes and restores these: a path out of the workspace would reach the learner's own files.
      if (path.startsWith('/') || path.split('/').includes('..')) source.issues.add(source.file, fields.spot('files'), `${fields.childPath('files')}[${i}]`, `"${path}" must be a path inside the workspace (relative, no ..)`);
    });
    const targets = texts(fields, 'targets', false);
    targets.forEach((target, i) => {
      if (!(TARGETS as readonly string[]).includes(target)) source.issues.add(source.file, fields.spot('targets'), `${fields.childPath('targets')}[${i}]`, `"${target}" is not a target: ${TARGETS.join(' or ')}${suggestion(target, [...TARGETS])}`);
    });
    steps.push({
      id,
      title: fields.string('title', { required: true })?.value.trim() ?? '',
      textFile: join(stepDir, 'text.md'),
      scripts,
      hints: texts(fields, 'hints', true),
      freshFailure: fields.string('fresh_failure', { required: true })?.value.trim() ?? '',
      files,
      targets: targets.length ? (targets as Target[]) : [...TARGETS],
    });
  }
  if (issues.count > before) return undefined;
  return { id: folder, number: Number(FOLDER.exec(folder)![1]), dir, title, minutes, objectives, prerequisites, steps };
}

/**
 * Every exercise, in number order; throws CatalogError listing every problem found.
 * RESOPS_EXERCISES_DIR points at another folder (a maintainer trying exercises out, the tests).
 */
export function loadCatalog(root = process.env.RESOPS_EXERCISES_DIR ?? LAB_EXERCISES_DIR): Exercise[] {
  const issues = new IssueList();
  // Messages name files as the maintainer sees them from the project root.
  const base = resolve(root) === resolve(LAB_EXERCISES_DIR) ? 'lab-exercises' : relative(process.cwd(), root) || '.';
  const folders = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory() && !name.startsWith('_') && !name.startsWith('.'));
  const exercises: Exercise[] = [];
  for (const folder of folders.sort()) {
    if (!FOLDER.test(folder)) {
      issues.add(`${base}/${folder}`, NOWHERE, '', 'exercise folders are named NN-slug (two digits, a dash, lowercase words), e.g. 03-containers');
      continue;
    }
    const exercise = readExercise(root, base, folder, issues);
    if (exercise) exercises.push(exercise);
  }
  const numbers = new Map<number, string>();
  for (const exercise of exercises) {
    const other = numbers.get(exercise.number);
    if (other) issues.add(`${base}/${exercise.id}`, NOWHERE, '', `number ${String(exercise.number).padStart(2, '0')} is also used by ${other}`);
    numbers.set(exercise.number, exercise.id);
  }
  const ids = exercises.map((e) => e.id);
  for (const exercise of exercises) {
    for (const prerequisite of exercise.prerequisites) {
      if (!ids.includes(prerequisite)) issues.add(`${base}/${exercise.id}/exercise.yaml`, NOWHERE, 'prerequisites', `no exercise "${prerequisite}"${suggestion(prerequisite, ids)}`);
    }
  }
  if (issues.count) throw new CatalogError(issues.items.map((i) => ({ file: i.file, line: i.line, column: i.column, field: i.path, message: i.message })));
  return exercises;
}

/** The exercises as a course on `target` has them: steps of other targets left out. */
export function exercisesFor(exercises: readonly Exercise[], target: Target): Exercise[] {
  return exercises.map((exercise) => ({ ...exercise, steps: exercise.steps.filter((step) => step.targets.includes(target)) }));
}

/** `3`, `03`, `03-containers` or `containers` → the exercise; undefined when nothing matches. */
export function findExercise(exercises: readonly Exercise[], ref: string): Exercise | undefined {
  if (/^\d+$/.test(ref)) return exercises.find((e) => e.number === Number(ref));
  return exercises.find((e) => e.id === ref || e.id.slice(3) === ref);
}
