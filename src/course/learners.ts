import { IssueList, quoteValue, type Located } from './issues.js';
import { COURSE_FILE } from './schema/course-fields.js';
import { RESERVED_LEARNER_ID_PATTERN, RESERVED_LEARNER_IDS } from './spec.js';
import { checkSshPublicKey } from './ssh-key.js';
import { stringProblem } from './table-fields.js';

/**
 * Learner checks shared by the inline `learners:` list and the roster CSV: both read their rows
 * into drafts (typed values with positions), and the rules below apply to either the same way.
 */

export interface LearnerDraft {
  /** Where the learner's entry (list item or CSV row) starts, and its path (`learners[2]`, `roster[2]`). */
  at: Located<null>;
  id?: Located<string>;
  name?: Located<string>;
  email?: Located<string>;
  sshPublicKey?: Located<string>;
  vms?: Located<number>;
  volumeGb?: Located<number>;
}

/** A draft whose values all passed their checks. */
export interface CheckedLearner {
  id: string;
  name: string;
  email?: string;
  sshPublicKey: string;
  vms?: number;
  volumeGb?: number;
}

const LEARNER = COURSE_FILE.fields.learners.items.fields;

export function learnerIdProblem(id: string): string | undefined {
  const problem = stringProblem(LEARNER.id, id);
  if (problem !== undefined) return problem;
  if (RESERVED_LEARNER_IDS.includes(id) || RESERVED_LEARNER_ID_PATTERN.test(id)) {
    return `${quoteValue(id)} is reserved: course-wide resources are already named \`<course id>-${id}\``;
  }
  return undefined;
}

/** Checks one learner's values; reports each problem, returns the learner only when all are fine. */
export function checkLearner(draft: LearnerDraft, issues: IssueList): CheckedLearner | undefined {
  const before = issues.count;
  const report = (value: Located<string>, problem: string | undefined) => problem !== undefined && issues.at(value, problem);
  const { id, name, email, sshPublicKey } = draft;
  if (id) {
    const problem = learnerIdProblem(id.value);
    if (problem) issues.at(id, problem);
  }
  if (name && name.value.trim() === '') issues.at(name, 'is empty');
  else if (name) report(name, stringProblem(LEARNER.name, name.value));
  if (email) report(email, stringProblem(LEARNER.email, email.value));
  if (sshPublicKey) {
    const key = checkSshPublicKey(sshPublicKey.value);
    if (!key.ok) issues.at(sshPublicKey, key.reason);
  }
  if (issues.count > before || !id || !name || !sshPublicKey) return undefined;
  return {
    id: id.value,
    name: name.value.trim(),
    ...(email ? { email: email.value } : {}),
    sshPublicKey: sshPublicKey.value.trim().split(/\s+/).join(' '),
    ...(draft.vms ? { vms: draft.vms.value } : {}),
    ...(draft.volumeGb ? { volumeGb: draft.volumeGb.value } : {}),
  };
}

/** Learner ids must be unique: the second use is reported, naming where the first one is. */
export function checkUniqueIds(drafts: readonly LearnerDraft[], issues: IssueList): void {
  const seen = new Map<string, Located<string>>();
  for (const draft of drafts) {
    if (!draft.id) continue;
    const first = seen.get(draft.id.value);
    if (first) {
      const where = first.file === draft.id.file ? `line ${first.spot.line}` : `${first.file} line ${first.spot.line}`;
      issues.at(draft.id, `duplicate learner id ${quoteValue(draft.id.value)} (first used by ${first.path.replace(/\.id$/, '')} at ${where})`);
    } else {
      seen.set(draft.id.value, draft.id);
    }
  }
}
