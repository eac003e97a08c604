import { isScalar } from 'yaml';
import { Fields } from './fields.js';
import { quoteValue, type Located, type Spot } from './issues.js';
import type { BooleanField, ChildFields, ChoiceField, DateField, Field, FieldMap, IntegerField, KeyOfKind, ListField, MappingField, NumberField, StringField } from './schema/field-types.js';
import type { YamlSource } from './yaml-positions.js';

/**
 * A mapping of the course file read the way its entry in the field table (schema/course-fields.ts)
 * says: names, types, required fields, limits and patterns come from there, so the loader and the
 * JSON Schema cannot tell a field apart differently.
 */

type ScalarField = StringField | IntegerField | NumberField | BooleanField | ChoiceField | DateField;

/** What reading a field of this table entry gives. */
export type ValueOf<T> = T extends ChoiceField<infer V> ? V : T extends StringField | DateField ? string : T extends IntegerField | NumberField ? number : T extends BooleanField ? boolean : never;

export interface ReadOptions {
  /** Overrides the table's `required` (fields required on the openstack target only). */
  required?: boolean;
  /**
   * false: the type only, not the table's pattern and length. Inline learners are checked with
   * the roster's rows by checkLearner(), which applies those.
   */
  checks?: boolean;
}

export class TableFields<F extends FieldMap> extends Fields {
  private constructor(source: YamlSource, path: string, at: Spot, map: ConstructorParameters<typeof Fields>[3], readonly spec: MappingField<F>) {
    super(source, path, at, map, Object.keys(spec.fields));
  }

  /** Reads `node` as the mapping `spec` describes, or reports what it is instead. */
  static open<F extends FieldMap>(source: YamlSource, node: unknown, path: string, at: Spot, spec: MappingField<F>): TableFields<F> | undefined {
    const map = Fields.mappingNode(source, node, path, at, spec.expected);
    return map && new TableFields(source, path, at, map, spec);
  }

  /** The value of `key` checked against its table entry; undefined when absent or wrong (reported). */
  read<K extends KeyOfKind<F, ScalarField>>(key: K, options: ReadOptions = {}): Located<ValueOf<F[K]>> | undefined {
    const field: Field = this.spec.fields[key]!;
    const required = options.required ?? field.required ?? false;
    const read = (() => {
      switch (field.kind) {
        case 'string':
          return this.checkedString(key, field, required, options.checks ?? true);
        case 'integer':
          return this.integer(key, { min: field.min, max: field.max, required });
        case 'number':
          return this.number(key, { min: field.min, required });
        case 'boolean':
          return this.boolean(key, { required });
        case 'choice':
          return this.choice(key, field.values, { required });
        case 'date':
          return this.date(key, field);
        default:
          throw new Error(`bug: ${this.childPath(key)} is a ${field.kind} in the field table, not a value`);
      }
    })();
    return read as Located<ValueOf<F[K]>> | undefined;
  }

  /** The nested mapping `key`; undefined (and no report) when it is absent. */
  section<K extends KeyOfKind<F, MappingField>>(key: K, options: { required?: boolean } = {}): TableFields<ChildFields<F[K]>> | undefined {
    const spec = this.spec.fields[key] as MappingField<ChildFields<F[K]>>;
    const node = this.value(key, options.required ?? spec.required ?? false);
    if (node === 'absent' || node === undefined) return undefined;
    return TableFields.open(this.source, node, this.childPath(key), this.keySpot(key), spec);
  }

  /** Items of the list `key` with their paths and positions (the items' own entry is `spec.fields[key].items`). */
  items<K extends KeyOfKind<F, ListField>>(key: K, options: { required?: boolean } = {}): ReturnType<Fields['list']> {
    const spec = this.spec.fields[key] as ListField;
    return this.list(key, { required: options.required ?? spec.required ?? false, ...(spec.expected ? { what: spec.expected } : {}) });
  }

  private checkedString(key: string, field: StringField, required: boolean, checks: boolean): Located<string> | undefined {
    const read = this.string(key, { required, nonEmpty: field.nonEmpty ?? true, ...(field.expected ? { expected: field.expected } : {}) });
    if (!read || !checks) return read;
    const problem = stringProblem(field, read.value);
    if (problem === undefined) return read;
    this.problem(key, problem);
    return undefined;
  }

  /** `YYYY-MM-DD` (YAML 1.2 reads it as a string), and a day the calendar has. */
  private date(key: string, field: DateField): Located<string> | undefined {
    const node = this.node(key);
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== 'string' || !field.pattern.test(node.value)) {
      const shown = isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? quoteValue(String(node.value)) : 'something else';
      this.problem(key, `expected a date written YYYY-MM-DD (like 2026-12-01), got ${shown}`);
      return undefined;
    }
    const [year, month, day] = node.value.split('-').map(Number) as [number, number, number];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
      this.problem(key, `${node.value} is not a calendar date`);
      return undefined;
    }
    return this.located(key, node.value);
  }
}

/** What is wrong with `value` by its table entry's pattern and length (the message), if anything. */
export function stringProblem(field: StringField, value: string): string | undefined {
  if (field.pattern && !field.pattern.regex.test(value)) return field.pattern.mismatch(value);
  if (field.maxLength && value.length > field.maxLength.max) return `${quoteValue(value)} is ${value.length} characters long; at most ${field.maxLength.max}${field.maxLength.why ?? ''}`;
  return undefined;
}
