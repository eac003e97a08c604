import { COURSE_FILE } from './course-fields.js';
import type { Field, MappingField, StringField } from './field-types.js';

/**
 * The JSON Schema (draft-07, what yaml-language-server reads best) of the course file, made from
 * the field table. It checks what one field can say about itself — types, required fields,
 * limits, patterns, unknown fields — plus two rules of the file as a whole: `learners` or
 * `roster`, exactly one; and what `target: openstack` requires. Everything else (CIDR sizes, dates
 * in order, unique learner ids, colliding ports, key data) only `resops validate` checks.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

/** Where the committed copy lives, relative to the repository: the samples' first line names it. */
export const SCHEMA_FILE = 'schema/course.schema.json';

export function courseJsonSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'resops course file',
    ...described(COURSE_FILE.doc),
    ...mappingSchema(COURSE_FILE, false),
    ...openstackRule(COURSE_FILE),
  };
}

/** The text `resops schema` prints and the committed copy holds. */
export function courseJsonSchemaText(): string {
  return `${JSON.stringify(courseJsonSchema(), null, 2)}\n`;
}

/** Editors show `description` as plain text and `markdownDescription` (yaml-language-server) as Markdown. */
function described(doc: string): Schema {
  const plain = doc.replace(/\*\*|`/g, '').replace(/\*([^*\s][^*]*)\*/g, '$1');
  return plain === doc ? { description: doc } : { description: plain, markdownDescription: doc };
}

/**
 * A field that is not required may be written without a value (`retention:`), which the loader
 * reads as not written: the schema lets such fields be null.
 */
function typed(kind: Field['kind'], nullable: boolean): Schema {
  return { type: nullable ? [JSON_TYPES[kind], 'null'] : JSON_TYPES[kind] };
}

function fieldSchema(field: Field, nullable: boolean): Schema {
  const base = described(field.doc);
  switch (field.kind) {
    case 'string':
      return { ...typed('string', nullable), ...base, ...stringRules(field) };
    case 'integer':
    case 'number':
      return { ...typed(field.kind, nullable), ...base, minimum: field.min, ...(field.kind === 'integer' ? { maximum: field.max } : {}), ...defaulted(field.default) };
    case 'boolean':
      return { ...typed('boolean', nullable), ...base, ...defaulted(field.default) };
    case 'choice':
      return { ...typed('choice', nullable), ...base, enum: [...field.values, ...(nullable ? [null] : [])], ...defaulted(field.default) };
    case 'date':
      return { ...typed('date', nullable), ...base, pattern: field.pattern.source };
    case 'list':
      return {
        ...typed('list', nullable),
        ...base,
        items: fieldSchema(field.items, false),
        ...(field.minItems !== undefined ? { minItems: field.minItems } : {}),
        ...(field.maxItems !== undefined ? { maxItems: field.maxItems } : {}),
        ...(field.default ? { default: [] } : {}),
      };
    case 'mapping':
      return { ...base, ...mappingSchema(field, nullable) };
  }
}

function defaulted(value: string | number | boolean | undefined): Schema {
  return value === undefined ? {} : { default: value };
}

function stringRules(field: StringField): Schema {
  const pattern = field.pattern?.regex ?? field.shape;
  // One `pattern` per schema: "not blank" joins through allOf when the field's own pattern allows blanks.
  const blankAllowed = (field.nonEmpty ?? true) && (!pattern || pattern.test(' ') || pattern.test(''));
  return {
    ...(pattern ? { pattern: pattern.source } : blankAllowed ? { pattern: '\\S' } : {}),
    ...(pattern && blankAllowed ? { allOf: [{ pattern: '\\S' }] } : {}),
    ...(field.maxLength ? { maxLength: field.maxLength.max } : {}),
    ...(field.reserved ? { not: { anyOf: [{ enum: [...field.reserved.values] }, { type: 'string', pattern: field.reserved.pattern.source }] } } : {}),
    ...defaulted(field.default),
  };
}

function mappingSchema(mapping: MappingField, nullable: boolean): Schema {
  // Members of an exactly-one group must hold a value when written.
  const grouped = new Set((mapping.exactlyOne ?? []).flat());
  const properties: Schema = {};
  for (const [key, field] of Object.entries(mapping.fields)) properties[key] = fieldSchema(field, !field.required && !grouped.has(key));
  const required = Object.entries(mapping.fields).filter(([, field]) => field.required).map(([key]) => key);
  const fallback = mapping.default ?? childDefaults(mapping);
  return {
    ...typed('mapping', nullable),
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
    ...(mapping.exactlyOne ? { allOf: mapping.exactlyOne.map((group) => ({ oneOf: group.map((key) => ({ required: [key] })) })) } : {}),
    ...(fallback ? { default: { ...fallback } } : {}),
  };
}

/** A mapping whose every field has a plain default defaults to them all (`local.ports`). */
function childDefaults(mapping: MappingField): Record<string, string | number | boolean> | undefined {
  const entries = Object.entries(mapping.fields).map(([key, field]) => [key, 'default' in field ? field.default : undefined] as const);
  if (entries.some(([, value]) => value === undefined || typeof value === 'object')) return undefined;
  return Object.fromEntries(entries) as Record<string, string | number | boolean>;
}

/** `target: openstack` in the file requires the fields marked requiredOnOpenstack (`--target` is beyond a schema). */
function openstackRule(root: MappingField): Schema {
  const then = requiredOnOpenstack(root);
  return then ? { if: { properties: { target: { const: 'openstack' } }, required: ['target'] }, then } : {};
}

function requiredOnOpenstack(mapping: MappingField): Schema | undefined {
  const required: string[] = [];
  const properties: Schema = {};
  for (const [key, field] of Object.entries(mapping.fields)) {
    const nested = field.kind === 'mapping' ? requiredOnOpenstack(field) : undefined;
    // Written without a value counts as missing, so a required field must not be null here either.
    if (field.requiredOnOpenstack) required.push(key);
    if (field.requiredOnOpenstack || nested) properties[key] = { type: JSON_TYPES[field.kind], ...nested };
  }
  if (!required.length && !Object.keys(properties).length) return undefined;
  return { type: 'object', ...(required.length ? { required } : {}), ...(Object.keys(properties).length ? { properties } : {}) };
}

const JSON_TYPES: Record<Field['kind'], string> = {
  string: 'string',
  date: 'string',
  choice: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  list: 'array',
  mapping: 'object',
};
