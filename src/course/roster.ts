import { credentialMessage, childPath, isCredentialKey, IssueList, looksLikePrivateKey, plural, PRIVATE_KEY_MESSAGE, quoteValue, type Located, type Spot } from './issues.js';
import { suggestion } from './did-you-mean.js';
import type { LearnerDraft } from './learners.js';
import { COURSE_FILE } from './schema/course-fields.js';
import { LIMITS, ROSTER_COLUMNS, ROSTER_REQUIRED_COLUMNS } from './spec.js';

const LEARNER_LIMITS = { vms: COURSE_FILE.fields.learners.items.fields.vms, volume_gb: COURSE_FILE.fields.learners.items.fields.volume_gb };

/**
 * The roster CSV: a header row naming the columns (any order), then one learner per row.
 * Fields follow RFC 4180 (quotes around fields holding commas, quotes or line breaks; `""` is a
 * quote inside them). Issues use the path `roster[i].<column>`, i the 0-based learner number
 * (blank rows do not count), and the CSV's own line and column.
 */

export interface CsvField {
  value: string;
  spot: Spot;
}

export interface CsvRecord {
  fields: CsvField[];
  spot: Spot;
}

export interface CsvProblem {
  spot: Spot;
  message: string;
  /** The rest of the text could not be read (an unclosed quote swallows it). */
  fatal: boolean;
}

/**
 * RFC 4180 with two kindnesses: LF, CRLF or CR line ends (old Mac exports, some spreadsheets),
 * and blanks around unquoted fields trimmed.
 */
export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  let line = 1;
  let lineStart = i;
  const spotHere = (): Spot => ({ line, column: i - lineStart + 1 });
  const atLineEnd = () => i >= text.length || text[i] === '\n' || text[i] === '\r';
  const skipLineEnd = () => {
    if (i >= text.length) return;
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
    line += 1;
    lineStart = i;
  };

  while (i < text.length) {
    const record: CsvRecord = { fields: [], spot: spotHere() };
    for (;;) {
      while (text[i] === ' ' || text[i] === '\t') i++;
      const spot = spotHere();
      let value = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < text.length) {
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (text[i] === '\n' || text[i] === '\r') {
            value += '\n';
            skipLineEnd();
            continue;
          }
          value += text[i];
          i++;
        }
        if (!closed) {
          problems.push({ spot, message: 'this quoted field is never closed (a `"` is missing)', fatal: true });
          // The row stays, so that the problem is reported as this row's and this column's.
          record.fields.push({ value, spot });
          records.push(record);
          return { records, problems };
        }
        while (text[i] === ' ' || text[i] === '\t') i++;
        if (!atLineEnd() && text[i] !== ',') {
          problems.push({ spot: spotHere(), message: 'unexpected text after a closing quote; write a quote inside a quoted field as `""`', fatal: false });
          while (!atLineEnd() && text[i] !== ',') i++;
        }
      } else {
        const start = i;
        while (!atLineEnd() && text[i] !== ',') i++;
        value = text.slice(start, i).trimEnd();
      }
      record.fields.push({ value, spot });
      if (text[i] === ',') {
        i++;
        continue;
      }
      skipLineEnd();
      break;
    }
    if (record.fields.some((field) => field.value !== '')) records.push(record);
  }
  return { records, problems };
}

/**
 * Reads roster CSV text into learner drafts, reporting CSV and header problems. Cell values are
 * checked later with the inline learners (learners.ts); only the per-cell types are read here.
 */
export function readRoster(text: string, file: string, issues: IssueList): LearnerDraft[] {
  const { records, problems } = parseCsv(text);
  const [header, ...rows] = records;
  for (const problem of problems) issues.add(file, problem.spot, problemPath(problem.spot, header, rows), problem.message);
  if (problems.some((problem) => problem.fatal)) return [];
  if (!header) {
    issues.add(file, { line: 0, column: 0 }, 'roster', `the roster is empty; it needs a header row (${ROSTER_REQUIRED_COLUMNS.join(',')}) and one row per learner`);
    return [];
  }

  const columns: Array<string | undefined> = [];
  const secretColumns = new Set<number>();
  for (const [index, cell] of header.fields.entries()) {
    const name = cell.value.trim().toLowerCase();
    const path = childPath('roster', name === '' ? `column ${index + 1}` : name);
    columns.push(undefined);
    if (isCredentialKey(name)) {
      issues.add(file, cell.spot, path, credentialMessage('roster', 'column'));
      secretColumns.add(index);
    } else if (!(ROSTER_COLUMNS as readonly string[]).includes(name)) {
      const hint = suggestion(name, ROSTER_COLUMNS);
      const known = hint === '' ? ` (columns: ${ROSTER_COLUMNS.join(', ')})` : hint;
      if (/^[\w-]{1,40}$/.test(name)) issues.add(file, cell.spot, path, `unknown column${known}`);
      else issues.add(file, cell.spot, 'roster', `column ${index + 1} of the header row, ${quoteValue(cell.value)}, is not a column name${known}`);
    } else if (columns.includes(name)) {
      issues.add(file, cell.spot, path, `duplicate column (first is column ${columns.indexOf(name) + 1})`);
    } else {
      columns[index] = name;
    }
  }
  for (const required of ROSTER_REQUIRED_COLUMNS) {
    if (!columns.includes(required)) issues.add(file, header.spot, childPath('roster', required), 'required column is missing from the header row');
  }

  if (rows.length < LIMITS.learners.min) {
    issues.add(file, header.spot, 'roster', 'no learners: add one row per learner below the header row');
  }
  if (rows.length > LIMITS.learners.max) {
    issues.add(file, rows[LIMITS.learners.max]!.spot, childPath('roster', LIMITS.learners.max), `the roster lists ${rows.length} learners; a course holds at most ${LIMITS.learners.max}`);
  }

  return rows.map((row, index) => readRow(row, index, header.fields.length, columns, secretColumns, file, issues));
}

const before = (a: Spot, b: Spot) => a.line < b.line || (a.line === b.line && a.column <= b.column);

/** `roster[i].<column>` of the cell a CSV problem is in (`roster` when it is in the header). */
function problemPath(spot: Spot, header: CsvRecord | undefined, rows: CsvRecord[]): string {
  if (!header) return 'roster';
  for (let index = rows.length - 1; index >= 0; index--) {
    const row = rows[index]!;
    if (!before(row.spot, spot)) continue;
    const cell = row.fields.filter((field) => before(field.spot, spot)).length - 1;
    const column = header.fields[cell]?.value.trim().toLowerCase();
    return column ? childPath(childPath('roster', index), column) : childPath('roster', index);
  }
  return 'roster';
}

function readRow(row: CsvRecord, index: number, width: number, columns: Array<string | undefined>, secretColumns: Set<number>, file: string, issues: IssueList): LearnerDraft {
  const path = childPath('roster', index);
  const draft: LearnerDraft = { at: { value: null, file, spot: row.spot, path } };
  if (row.fields.length !== width) {
    issues.add(file, row.spot, path, `this row has ${plural(row.fields.length, 'field')} but the header has ${plural(width, 'column')}`);
    return draft;
  }
  row.fields.forEach((cell, column) => {
    const name = columns[column];
    if (secretColumns.has(column) || name === undefined) return;
    const located: Located<string> = { value: cell.value, file, spot: cell.spot, path: childPath(path, name) };
    if (looksLikePrivateKey(cell.value)) {
      issues.at(located, PRIVATE_KEY_MESSAGE);
      return;
    }
    if (cell.value.trim() === '') {
      if ((ROSTER_REQUIRED_COLUMNS as readonly string[]).includes(name)) issues.at(located, 'required value is empty');
      return;
    }
    switch (name) {
      case 'id':
        draft.id = located;
        break;
      case 'name':
        draft.name = located;
        break;
      case 'email':
        draft.email = located;
        break;
      case 'ssh_public_key':
        draft.sshPublicKey = located;
        break;
      case 'vms':
      case 'volume_gb': {
        const limits = LEARNER_LIMITS[name];
        const value = cell.value.trim();
        if (!/^[0-9]+$/.test(value)) {
          issues.at(located, `expected a whole number, got ${quoteValue(value)}`);
        } else if (Number(value) < limits.min || Number(value) > limits.max) {
          issues.at(located, `must be between ${limits.min} and ${limits.max}, got ${Number(value)}`);
        } else if (name === 'vms') {
          draft.vms = { ...located, value: Number(value) };
        } else {
          draft.volumeGb = { ...located, value: Number(value) };
        }
        break;
      }
    }
  });
  return draft;
}
