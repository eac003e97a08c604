import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Course } from '../course/model.js';
import { privateStateRoot, writePrivateFile } from '../course/private-state.js';

/**
 * Per-learner report tokens. The dashboard keeps only their SHA-256 (`<state>/dashboard/
 * learner-tokens.json`, 0600): a copy of that file lets nobody report as a learner. The token
 * itself goes to the learner alone, in `<id>.dashboard.json` beside their handout.
 */

export interface LearnerDashboardFile {
  /** Where the learner's `resops exercise` sends events (`http://host:port`). */
  url: string;
  course: string;
  learner: string;
  token: string;
}

export function dashboardDir(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return join(privateStateRoot(course), 'dashboard');
}

export function tokenHashesFile(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return join(dashboardDir(course), 'learner-tokens.json');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Compares in constant time, so the answer's timing says nothing about how much of a token was right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function readTokenHashes(course: Pick<Course, 'dir' | 'stateDir'>): Record<string, string> {
  const file = tokenHashesFile(course);
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${file}: not a token file; move it away and run \`resops dashboard tokens\` again`);
  return parsed as Record<string, string>;
}

/** Which learner a report token belongs to; undefined for any other string. */
export function learnerOfToken(hashes: Readonly<Record<string, string>>, token: string): string | undefined {
  const hash = hashToken(token);
  for (const [learner, expected] of Object.entries(hashes)) if (sameSecret(hash, expected)) return learner;
  return undefined;
}

export interface TokenFiles {
  learner: string;
  /** `<handouts>/<id>.dashboard.json`. */
  file: string;
  action: 'made' | 'kept';
}

/**
 * Gives every learner (or `only`) a token: a learner whose file still holds a token the dashboard
 * knows keeps it, unless `renew`. Files are written where the handouts go and, so that learners who
 * work on this machine report without copying anything, into their exercise state directory too.
 */
export function ensureLearnerTokens(course: Course, options: { url: string; handouts: string; exercisesDir: string; only?: string; renew?: boolean }): TokenFiles[] {
  const hashes = readTokenHashes(course);
  const results: TokenFiles[] = [];
  for (const learner of course.learners) {
    if (options.only !== undefined && learner.id !== options.only) continue;
    const file = join(options.handouts, `${learner.id}.dashboard.json`);
    let token: string | undefined;
    if (!options.renew && existsSync(file)) {
      const existing = JSON.parse(readFileSync(file, 'utf8')) as Partial<LearnerDashboardFile>;
      if (typeof existing.token === 'string' && hashes[learner.id] === hashToken(existing.token)) token = existing.token;
    }
    const action = token ? 'kept' : 'made';
    token ??= newToken();
    hashes[learner.id] = hashToken(token);
    const content: LearnerDashboardFile = { url: options.url, course: course.id, learner: learner.id, token };
    const text = `${JSON.stringify(content, null, 2)}\n`;
    writePrivateFile(file, text);
    writePrivateFile(join(options.exercisesDir, learner.id, 'dashboard.json'), text);
    results.push({ learner: learner.id, file, action });
  }
  // Learners no longer in the course file lose their token.
  for (const id of Object.keys(hashes)) if (!course.learners.some((l) => l.id === id)) delete hashes[id];
  writePrivateFile(tokenHashesFile(course), `${JSON.stringify(hashes, null, 2)}\n`);
  return results;
}
