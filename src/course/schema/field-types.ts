/**
 * The shapes of the course-file table (./course-fields.ts): what one field can say about itself.
 * The loader (../fields.ts), the JSON Schema (./json-schema.ts) and the field tables of
 * docs/course-file.md (./docs-tables.ts) all read these, so a fact is written once.
 */

interface FieldBase {
  /** One line of Markdown: the rules column of the docs, the description in editors. */
  doc: string;
  /** Required wherever the field's mapping is written. */
  required?: boolean;
  /** Required on the openstack target only (the loader says why; the schema checks the file's own `target`). */
  requiredOnOpenstack?: boolean;
  /** The docs' type column, when the kind alone says too little (`IPv4 CIDR`). */
  docType?: string;
  /** The docs' default column, when the default is not one constant (`environment.vms`). */
  docDefault?: string;
}

/** A pattern the loader checks, with what it says when a value does not match. */
export interface PatternRule {
  regex: RegExp;
  /** The message for `value` (quote it with quoteValue when it is shown). */
  mismatch: (value: string) => string;
  /** false: the docs say it in words, which read better than this regex. */
  inDocs?: boolean;
}

export interface StringField extends FieldBase {
  kind: 'string';
  default?: string;
  pattern?: PatternRule;
  /**
   * A pattern for editors only: the loader parses such values in code (CIDRs, SSH keys), with
   * messages a pattern cannot give. test/course-schema.test.ts holds it to that code.
   */
  shape?: RegExp;
  maxLength?: { max: number; why?: string };
  /** Whitespace alone is refused ("is empty"); true unless said otherwise. */
  nonEmpty?: boolean;
  /** What "expected X, got Y" calls the value; default "a string". */
  expected?: string;
  /** Values taken already (learner ids that name course-wide resources): a `not` in the schema. */
  reserved?: { values: readonly string[]; pattern: RegExp };
}

export interface IntegerField extends FieldBase {
  kind: 'integer';
  min: number;
  max: number;
  default?: number;
}

export interface NumberField extends FieldBase {
  kind: 'number';
  min: number;
  default?: number;
}

export interface BooleanField extends FieldBase {
  kind: 'boolean';
  default?: boolean;
}

export interface ChoiceField<T extends string = string> extends FieldBase {
  kind: 'choice';
  values: readonly T[];
  default?: T;
}

/** `YYYY-MM-DD`: a string in YAML 1.2; the loader also checks it is a calendar date. */
export interface DateField extends FieldBase {
  kind: 'date';
  pattern: RegExp;
}

export interface ListField<I extends Field = Field> extends FieldBase {
  kind: 'list';
  items: I;
  minItems?: number;
  maxItems?: number;
  default?: readonly never[];
  /** What "expected X, got Y" calls the value; default "a list". */
  expected?: string;
}

export type FieldMap = Record<string, Field>;

export interface MappingField<F extends FieldMap = FieldMap> extends FieldBase {
  kind: 'mapping';
  fields: F;
  /** What "expected X, got Y" calls the value; default "a mapping (indented `key: value` lines)". */
  expected?: string;
  /** Groups of which exactly one field must be written (`learners` or `roster`). */
  exactlyOne?: ReadonlyArray<readonly string[]>;
  /** The whole mapping's default, when its fields have none of their own (a flavor per role). */
  default?: Readonly<Record<string, string | number | boolean>>;
}

export type Field = StringField | IntegerField | NumberField | BooleanField | ChoiceField | DateField | ListField | MappingField;

/** The fields of `F` whose table entry is a `T`: `Fields.integer()` accepts only integer fields. */
export type KeyOfKind<F extends FieldMap, T extends Field> = { [K in keyof F]: F[K] extends T ? K : never }[keyof F] & string;

/** The child fields of a mapping entry. */
export type ChildFields<M> = M extends MappingField<infer C> ? C : never;

export const string = (spec: Omit<StringField, 'kind'>): StringField => ({ kind: 'string', ...spec });
export const integer = (spec: Omit<IntegerField, 'kind'>): IntegerField => ({ kind: 'integer', ...spec });
export const number = (spec: Omit<NumberField, 'kind'>): NumberField => ({ kind: 'number', ...spec });
export const boolean = (spec: Omit<BooleanField, 'kind'>): BooleanField => ({ kind: 'boolean', ...spec });
export const choice = <T extends string>(spec: Omit<ChoiceField<T>, 'kind' | 'values' | 'default'> & { values: readonly T[]; default?: NoInfer<T> }): ChoiceField<T> => ({
  kind: 'choice',
  ...spec,
});
export const date = (spec: Omit<DateField, 'kind'>): DateField => ({ kind: 'date', ...spec });
export const list = <I extends Field>(spec: Omit<ListField<I>, 'kind'>): ListField<I> => ({ kind: 'list', ...spec });
export const mapping = <F extends FieldMap>(spec: Omit<MappingField<F>, 'kind'>): MappingField<F> => ({ kind: 'mapping', ...spec });

/** Every mapping of the table with its path in the file's spelling (`cloud.flavors.learner`, `learners[]`). */
export function mappingsOf(root: MappingField, path = ''): Array<{ path: string; mapping: MappingField }> {
  const found = [{ path, mapping: root }];
  for (const [key, field] of Object.entries(root.fields)) {
    const child = path === '' ? key : `${path}.${key}`;
    if (field.kind === 'mapping') found.push(...mappingsOf(field, child));
    if (field.kind === 'list' && field.items.kind === 'mapping') found.push(...mappingsOf(field.items, `${child}[]`));
  }
  return found;
}
