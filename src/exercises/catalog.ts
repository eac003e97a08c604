/**
 * The exercises of lab-exercises/: one folder `NN-slug/` each, with `exercise.yaml` and one folder
 * per step holding `text.md`, `check.ts`, `solve.ts` and optionally `setup.ts` and `reset.ts`.
 * Loading validates everything up front so a maintainer's typo is reported with its file, line
 * and field before any learner meets it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { suggestion } from '../course/did-you-mean.js';

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
  field: string;
  message: string;
}

export function formatCatalogIssue(issue: CatalogIssue): string {
  return `${issue.file}${issue.line ? `:${issue.line}` : ''}${issue.field ? ` ${issue.field}` : ''}: ${issue.message}`;
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
const STEP_FIELDS = ['id', 'title', 'hints', 'fresh_failure', 'files'];

/** Reads one exercise.yaml; problems go to `issues`. */
function readExercise(root: string, base: string, folder: string, issues: CatalogIssue[]): Exercise | undefined {
  const dir = join(root, folder);
  const file = join(dir, 'exercise.yaml');
  const shown = `${base}/${folder}/exercise.yaml`;
  if (!existsSync(file)) {
    issues.push({ file: `${base}/${folder}`, line: 0, field: '', message: 'no exercise.yaml in this exercise folder' });
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 0);
  const add = (node: Node | null | undefined, field: string, message: string) => issues.push({ file: shown, line: lineOf(node), field, message });
  if (doc.errors.length) {
    for (const error of doc.errors) issues.push({ file: shown, line: lines.linePos(error.pos[0]).line, field: '', message: `YAML syntax error: ${error.message.split('\n')[0]}` });
    return undefined;
  }
  const top = doc.contents;
  if (!isMap(top)) {
    add(top, '', 'expected a mapping with title, minutes, objectives, steps');
    return undefined;
  }
  const before = issues.length;
  const fieldNode = (map: YAMLMap<unknown, unknown>, key: string) => map.items.find((p) => isScalar(p.key) && p.key.value === key)?.value as Node | null | undefined;
  for (const pair of top.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!EXERCISE_FIELDS.includes(key)) add(pair.key as Node, key, `unknown field${suggestion(key, EXERCISE_FIELDS)}`);
  }
  const text = (node: Node | null | undefined, field: string): string => {
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim()) return node.value.trim();
    add(node, field, node === undefined ? 'required: a non-empty text' : 'expected a non-empty text');
    return '';
  };
  const texts = (node: Node | null | undefined, field: string, required: boolean): string[] => {
    if (node === undefined && !required) return [];
    if (!isSeq(node) || (required && !node.items.length)) {
      add(node, field, required ? 'required: a non-empty list of texts' : 'expected a list of texts');
      return [];
    }
    return node.items.map((item, i) => text(item as Node, `${field}[${i}]`));
  };
  const workspacePaths = (node: Node | null | undefined, field: string): string[] => {
    const paths = texts(node, field, false);
    paths.forEach((path, i) => {
      // Reset deletes and restores these: a path out of the workspace would reach the learner's own files.
      if (path.startsWith('/') || path.split('/').includes('..')) add(isSeq(node) ? (node.items[i] as Node) : node, `${field}[${i}]`, `"${path}" must be a path inside the workspace (relative, no ..)`);
    });
    return paths;
  };
  const title = text(fieldNode(top, 'title'), 'title');
  const minutesNode = fieldNode(top, 'minutes');
  const minutes = isScalar(minutesNode) && typeof minutesNode.value === 'number' && Number.isInteger(minutesNode.value) && minutesNode.value > 0 ? minutesNode.value : 0;
  if (!minutes) add(minutesNode, 'minutes', 'required: the estimated minutes, a whole number > 0');
  const objectives = texts(fieldNode(top, 'objectives'), 'objectives', true);
  const prerequisites = texts(fieldNode(top, 'prerequisites'), 'prerequisites', false);
  const stepsNode = fieldNode(top, 'steps');
  const steps: Step[] = [];
  if (!isSeq(stepsNode) || !stepsNode.items.length) add(stepsNode, 'steps', 'required: a non-empty list of steps');
  else {
    stepsNode.items.forEach((item, i) => {
      const at = `steps[${i}]`;
      if (!isMap(item)) {
        add(item as Node, at, 'expected a mapping with id, title, hints, fresh_failure');
        return;
      }
      for (const pair of item.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (!STEP_FIELDS.includes(key)) add(pair.key as Node, `${at}.${key}`, `unknown field${suggestion(key, STEP_FIELDS)}`);
      }
      const idNode = fieldNode(item, 'id');
      const id = text(idNode, `${at}.id`);
      if (id && !STEP_ID.test(id)) add(idNode, `${at}.id`, `"${id}" is not a step folder name (lowercase letters, digits and dashes)`);
      const duplicate = id !== '' && steps.some((s) => s.id === id);
      if (duplicate) add(idNode, `${at}.id`, `"${id}" is used by another step of this exercise`);
      const stepDir = join(dir, id);
      const scripts: Partial<Record<StepScript, string>> = {};
      if (id && STEP_ID.test(id) && !duplicate) {
        if (!existsSync(join(stepDir, 'text.md'))) add(idNode, `${at}.id`, `${base}/${folder}/${id}/text.md is missing`);
        for (const script of STEP_SCRIPTS) {
          const path = join(stepDir, `${script}.ts`);
          if (existsSync(path)) scripts[script] = path;
          else if (script === 'check' || script === 'solve') add(idNode, `${at}.id`, `${base}/${folder}/${id}/${script}.ts is missing (every step has a check and a solve)`);
        }
      }
      steps.push({
        id,
        title: text(fieldNode(item, 'title'), `${at}.title`),
        textFile: join(stepDir, 'text.md'),
        scripts,
        hints: texts(fieldNode(item, 'hints'), `${at}.hints`, true),
        freshFailure: text(fieldNode(item, 'fresh_failure'), `${at}.fresh_failure`),
        files: workspacePaths(fieldNode(item, 'files'), `${at}.files`),
      });
    });
  }
  if (issues.length > before) return undefined;
  return { id: folder, number: Number(FOLDER.exec(folder)![1]), dir, title, minutes, objectives, prerequisites, steps };
}

/**
 * Every exercise, in number order; throws CatalogError listing every problem found.
 * RESOPS_EXERCISES_DIR points at another folder (a maintainer trying exercises out, the tests).
 */
export function loadCatalog(root = process.env.RESOPS_EXERCISES_DIR ?? LAB_EXERCISES_DIR): Exercise[] {
  const issues: CatalogIssue[] = [];
  // Messages name files as the maintainer sees them from the project root.
  const base = resolve(root) === resolve(LAB_EXERCISES_DIR) ? 'lab-exercises' : relative(process.cwd(), root) || '.';
  const folders = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory() && !name.startsWith('_') && !name.startsWith('.'));
  const exercises: Exercise[] = [];
  for (const folder of folders.sort()) {
    if (!FOLDER.test(folder)) {
      issues.push({ file: `${base}/${folder}`, line: 0, field: '', message: 'exercise folders are named NN-slug (two digits, a dash, lowercase words), e.g. 03-containers' });
      continue;
    }
    const exercise = readExercise(root, base, folder, issues);
    if (exercise) exercises.push(exercise);
  }
  const numbers = new Map<number, string>();
  for (const exercise of exercises) {
    const other = numbers.get(exercise.number);
    if (other) issues.push({ file: `${base}/${exercise.id}`, line: 0, field: '', message: `number ${String(exercise.number).padStart(2, '0')} is also used by ${other}` });
    numbers.set(exercise.number, exercise.id);
  }
  const ids = exercises.map((e) => e.id);
  for (const exercise of exercises) {
    for (const prerequisite of exercise.prerequisites) {
      if (!ids.includes(prerequisite)) issues.push({ file: `${base}/${exercise.id}/exercise.yaml`, line: 0, field: 'prerequisites', message: `no exercise "${prerequisite}"${suggestion(prerequisite, ids)}` });
    }
  }
  if (issues.length) throw new CatalogError(issues);
  return exercises;
}

/** `3`, `03`, `03-containers` or `containers` → the exercise; undefined when nothing matches. */
export function findExercise(exercises: readonly Exercise[], ref: string): Exercise | undefined {
  if (/^\d+$/.test(ref)) return exercises.find((e) => e.number === Number(ref));
  return exercises.find((e) => e.id === ref || e.id.slice(3) === ref);
}
