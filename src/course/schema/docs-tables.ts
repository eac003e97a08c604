import { COURSE_FILE } from './course-fields.js';
import { mappingsOf, type Field, type MappingField } from './field-types.js';

/**
 * The field tables of docs/course-file.md, made from the field table. Each sits between
 *   <!-- fields: PATH [PATH…] -->  and  <!-- end of fields -->
 * where PATH names a mapping of the table (`(top)`, `cloud`, `learners[]`, `cloud.flavors.learner`);
 * several paths share one table when their fields are the same (the three flavor roles).
 */

export const DOCS_FILE = 'docs/course-file.md';
export const UPDATE_COMMAND = 'npx tsx src/course/schema/update.ts';
const BLOCK = /(<!-- fields: ([^>]*?) -->\n)[\s\S]*?(<!-- end of fields -->)/g;

const MAPPINGS = new Map(mappingsOf(COURSE_FILE).map(({ path, mapping }) => [path === '' ? '(top)' : path, mapping]));

/** The Markdown table of one mapping's fields. */
export function fieldTable(mapping: MappingField): string {
  const rows = Object.entries(mapping.fields).map(([key, field]) => [`\`${key}\``, typeText(field), defaultText(field), rulesText(field)]);
  return ['| field | type | default | rules |', '|---|---|---|---|', ...rows.map((cells) => `| ${cells.map(cell).join(' | ')} |`)].join('\n');
}

/** A pipe inside a cell would end it, code span or not. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function typeText(field: Field): string {
  if (field.docType) return field.docType;
  switch (field.kind) {
    case 'boolean':
      return 'boolean (`true`/`false`)';
    case 'choice':
      return field.values.map((value) => `\`${value}\``).join(' | ');
    case 'list':
      return `list of ${typeText(field.items)}s`;
    case 'mapping':
      return 'mapping';
    default:
      return field.kind;
  }
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return '`[]`';
  if (typeof value === 'object' && value !== null) return `\`{ ${Object.entries(value).map(([k, v]) => `${k}: ${String(v)}`).join(', ')} }\``;
  return `\`${String(value)}\``;
}

function defaultText(field: Field): string {
  if (field.docDefault) return field.docDefault;
  if (field.required) return '— (required)';
  const value = 'default' in field ? field.default : undefined;
  if (field.requiredOnOpenstack) return `${value === undefined ? 'optional on the local target' : `${shown(value)} (local target)`}; **required** on openstack`;
  if (value !== undefined) return shown(value);
  return field.kind === 'mapping' ? 'see below' : 'none';
}

/** The limits the table sets, then the field's own line. */
function rulesText(field: Field): string {
  const limits: string[] = [];
  if (field.kind === 'integer') limits.push(`${field.min}–${field.max}`);
  if (field.kind === 'number') limits.push(`≥ ${field.min}`);
  if (field.kind === 'date') limits.push('`YYYY-MM-DD`');
  if (field.kind === 'list' && field.minItems !== undefined && field.maxItems !== undefined) limits.push(`${field.minItems}–${field.maxItems} items`);
  else if (field.kind === 'list' && field.maxItems !== undefined) limits.push(`at most ${field.maxItems} items`);
  if (field.kind === 'string' && field.pattern && field.pattern.inDocs !== false) limits.push(`\`${field.pattern.regex.source}\``);
  if (field.kind === 'string' && field.maxLength) limits.push(`at most ${field.maxLength.max} characters`);
  const head = limits.join(', ');
  if (head === '') return field.doc;
  return /^[A-Z]/.test(field.doc) ? `${head}. ${field.doc}` : `${head}; ${field.doc}`;
}

/** The docs text with every block's table made anew, and what is wrong with its blocks. */
export function renderDocs(text: string): { text: string; problems: string[] } {
  const problems: string[] = [];
  const covered = new Set<string>();
  const rendered = text.replace(BLOCK, (_, open: string, list: string, close: string) => {
    const paths = list.trim().split(/\s+/);
    const tables = paths.map((path) => {
      const mapping = MAPPINGS.get(path);
      if (!mapping) problems.push(`${DOCS_FILE}: <!-- fields: ${list} -->: no mapping \`${path}\` in the field table (paths: ${[...MAPPINGS.keys()].join(', ')})`);
      covered.add(path);
      return mapping ? fieldTable(mapping) : '';
    });
    if (new Set(tables).size > 1) problems.push(`${DOCS_FILE}: <!-- fields: ${list} -->: these mappings' fields differ; give each its own table`);
    return `${open}${tables[0]}\n${close}`;
  });
  for (const path of MAPPINGS.keys()) if (!covered.has(path)) problems.push(`${DOCS_FILE}: no table for \`${path}\`; add <!-- fields: ${path} --> <!-- end of fields --> where it belongs`);
  return { text: rendered, problems };
}
