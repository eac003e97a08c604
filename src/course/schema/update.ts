/**
 * After a change to the field table: `npx tsx src/course/schema/update.ts` writes the committed
 * JSON Schema and the field tables of docs/course-file.md anew (test/course-schema.test.ts fails
 * until they are).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DOCS_FILE, renderDocs } from './docs-tables.js';
import { courseJsonSchemaText, SCHEMA_FILE } from './json-schema.js';

const root = (file: string) => fileURLToPath(new URL(`../../../${file}`, import.meta.url));

writeFileSync(root(SCHEMA_FILE), courseJsonSchemaText());
const docs = renderDocs(readFileSync(root(DOCS_FILE), 'utf8'));
writeFileSync(root(DOCS_FILE), docs.text);
for (const problem of docs.problems) process.stderr.write(`${problem}\n`);
process.stdout.write(`wrote ${SCHEMA_FILE} and the field tables of ${DOCS_FILE}\n`);
process.exitCode = docs.problems.length > 0 ? 1 : 0;
