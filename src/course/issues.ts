import type { CourseIssue } from './model.js';

/** 1-based line and column in some file; 0/0 when a problem has no place (an empty file). */
export interface Spot {
  line: number;
  column: number;
}

export const NOWHERE: Spot = { line: 0, column: 0 };

/** A value read from the course file or roster, with where it was written and its field path. */
export interface Located<T> {
  value: T;
  file: string;
  spot: Spot;
  path: string;
}

/** Collects every problem of a load, so the user sees all of them at once. */
export class IssueList {
  readonly items: CourseIssue[] = [];

  add(file: string, spot: Spot, path: string, message: string): void {
    this.items.push({ file, line: spot.line, column: spot.column, path, message });
  }

  at(located: Pick<Located<unknown>, 'file' | 'spot' | 'path'>, message: string): void {
    this.add(located.file, located.spot, located.path, message);
  }

  get count(): number {
    return this.items.length;
  }

  /** In file order: the course file first, then each roster, each by line and column. */
  sorted(fileOrder: readonly string[]): CourseIssue[] {
    const rank = (file: string) => {
      const i = fileOrder.indexOf(file);
      return i < 0 ? fileOrder.length : i;
    };
    return this.items
      .map((issue, i) => ({ issue, i }))
      .sort((a, b) => rank(a.issue.file) - rank(b.issue.file) || a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.i - b.i)
      .map(({ issue }) => issue);
  }
}

/** `learners[3]`, `course.id`: how paths are spelt in messages (file spelling). */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Field names that hold credentials, whatever the section: they belong in clouds.yaml, never here. */
const CREDENTIAL_KEY = /pass(word|wd|phrase)|secret|token|credential|^(os_)?auth$|api_?key|access_?key|private_?key/i;

export function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEY.test(key);
}

export function credentialMessage(where: 'course file' | 'roster' = 'course file', what: 'field' | 'column' = 'field'): string {
  return `credentials do not belong in the ${where}: keep them in clouds.yaml (secrets in secure.yaml), in OS_* environment variables, or in an application credential there; remove this ${what}`;
}

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File-/;

export function looksLikePrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

export const PRIVATE_KEY_MESSAGE =
  'holds a private key; the course file carries only public keys: paste the learner\'s public key (the .pub file) and treat this private key as leaked';

/** Short, single-line rendering of a wrong value for messages (never used for secrets). */
export function quoteValue(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return JSON.stringify(oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine);
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
