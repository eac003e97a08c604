import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar } from 'yaml';
import { childPath, quoteValue, type Located, type Spot } from './issues.js';
import { suggestion } from './did-you-mean.js';
import type { YamlSource } from './yaml-positions.js';

/**
 * Typed, position-aware reading of one YAML mapping of the course file. Every getter reports what
 * is wrong (type, range, missing) into the source's issue list and returns undefined, so the
 * caller can carry on and find the next problem instead of stopping at the first.
 */

export interface IntegerRule {
  required?: boolean;
  min: number;
  max: number;
}

/** How a wrong value is named in "expected X, got Y". */
export function describeNode(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return 'nothing';
    if (typeof value === 'string') return quoteValue(value);
    if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
    if (typeof value === 'boolean') return `the boolean ${value}`;
  }
  return 'something else';
}

function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && (node.value === null || node.value === undefined));
}

const MAPPING = 'a mapping (indented `key: value` lines)';

export class Fields {
  private readonly pairs = new Map<string, Pair<unknown, unknown>>();

  /**
   * @param at where this mapping's own key (or list item) is written: missing children point there.
   */
  constructor(
    readonly source: YamlSource,
    readonly path: string,
    readonly at: Spot,
    map: { items: Pair<unknown, unknown>[] },
    readonly allowed: readonly string[],
  ) {
    for (const pair of map.items) {
      if (source.secrets.has(pair)) continue;
      const keyNode = pair.key;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        this.report(this.source.spotOf(keyNode as Node), path, 'field names must be plain words');
        continue;
      }
      const key = String(keyNode.value);
      const first = this.pairs.get(key);
      if (first) {
        this.report(this.source.spotOf(keyNode), childPath(path, key), `duplicate key (first at line ${this.source.spotOf(first.key as Node).line}); each field may appear once`);
        continue;
      }
      if (!allowed.includes(key)) {
        const hint = suggestion(key, allowed);
        const known = hint === '' ? ` (known fields here: ${allowed.join(', ')})` : hint;
        this.report(this.source.spotOf(keyNode), childPath(path, key), `unknown field${known}`);
        continue;
      }
      this.pairs.set(key, pair);
    }
  }

  /** Reads `node` as a mapping with these fields, or reports what it is instead. */
  static of(source: YamlSource, node: unknown, path: string, at: Spot, allowed: readonly string[], what = MAPPING): Fields | undefined {
    const map = Fields.mappingNode(source, node, path, at, what);
    return map && new Fields(source, path, at, map, allowed);
  }

  /** `node` (aliases resolved) when it is a mapping; else reports what it is instead. */
  protected static mappingNode(source: YamlSource, node: unknown, path: string, at: Spot, what = MAPPING): { items: Pair<unknown, unknown>[] } | undefined {
    const resolved = source.resolve(node);
    if (!isMap(resolved)) {
      const where = isNull(resolved) ? at : source.spotOf(resolved as Node);
      source.issues.add(source.file, where, path, `expected ${what}, got ${describeNode(resolved)}`);
      return undefined;
    }
    return resolved;
  }

  private report(spot: Spot, path: string, message: string): void {
    this.source.issues.add(this.source.file, spot, path, message);
  }

  childPath(key: string): string {
    return childPath(this.path, key);
  }

  /** The value node of `key`, aliases resolved; undefined when the key is absent or empty. */
  node(key: string): unknown {
    const pair = this.pairs.get(key);
    if (!pair) return undefined;
    const value = this.source.resolve(pair.value);
    return isNull(value) ? undefined : value;
  }

  /** Whether the key is written at all (even without a value). */
  written(key: string): boolean {
    return this.pairs.has(key);
  }

  /**
   * `key` holds a value but reading it gave nothing (`read` is what the reader returned): its
   * problem is reported already, and the caller must not fall back to a default for it.
   */
  invalid(key: string, read: unknown): boolean {
    return read === undefined && this.node(key) !== undefined;
  }

  keySpot(key: string): Spot {
    const pair = this.pairs.get(key);
    return pair ? this.source.spotOf(pair.key as Node) : this.at;
  }

  /** Where the value of `key` is written; its key when the value is empty or absent. */
  spot(key: string): Spot {
    const value = this.node(key);
    return value === undefined ? this.keySpot(key) : this.source.spotOf(value as Node);
  }

  located<T>(key: string, value: T): Located<T> {
    return { value, file: this.source.file, spot: this.spot(key), path: this.childPath(key) };
  }

  /** Reports a problem with the value of `key`. */
  problem(key: string, message: string): void {
    this.report(this.spot(key), this.childPath(key), message);
  }

  /** Reports a problem with `key` itself (its name, or its presence). */
  keyProblem(key: string, message: string): void {
    this.report(this.keySpot(key), this.childPath(key), message);
  }

  /** Reports a missing field at this mapping's own key (at its own key when written without a value). */
  missing(key: string, why?: string): void {
    if (this.pairs.has(key)) this.report(this.keySpot(key), this.childPath(key), `has no value; ${why ?? 'this field is required'}`);
    else this.report(this.at, this.childPath(key), why ?? 'required field is missing');
  }

  /** The raw value, or a report (missing / is secret) when absent. */
  protected value(key: string, required: boolean): Scalar | Node | undefined | 'absent' {
    const pair = this.pairs.get(key);
    const node = this.node(key);
    if (node === undefined) {
      if (required && !(pair && this.source.secrets.has(pair.value))) this.missing(key);
      return 'absent';
    }
    if (this.source.secrets.has(node)) return undefined;
    return node as Node;
  }

  private scalarOf(key: string, required: boolean, expected: string, accept: (value: unknown) => boolean): Located<unknown> | undefined | 'absent' {
    const node = this.value(key, required);
    if (node === 'absent' || node === undefined) return node;
    if (!isScalar(node) || !accept(node.value)) {
      this.problem(key, `expected ${expected}, got ${describeNode(node)}`);
      return undefined;
    }
    return this.located(key, node.value);
  }

  string(key: string, options: { required?: boolean; nonEmpty?: boolean; expected?: string } = {}): Located<string> | undefined {
    const read = this.scalarOf(key, options.required ?? false, options.expected ?? 'a string', (v) => typeof v === 'string');
    if (read === 'absent' || read === undefined) return undefined;
    const located = read as Located<string>;
    if ((options.nonEmpty ?? true) && located.value.trim() === '') {
      this.problem(key, 'is empty');
      return undefined;
    }
    return located;
  }

  integer(key: string, rule: IntegerRule): Located<number> | undefined {
    const read = this.scalarOf(key, rule.required ?? false, 'a whole number', (v) => typeof v === 'number' && Number.isInteger(v));
    if (read === 'absent' || read === undefined) return undefined;
    const located = read as Located<number>;
    if (located.value < rule.min || located.value > rule.max) {
      this.problem(key, `must be between ${rule.min} and ${rule.max}, got ${located.value}`);
      return undefined;
    }
    return located;
  }

  number(key: string, options: { required?: boolean; min: number }): Located<number> | undefined {
    const read = this.scalarOf(key, options.required ?? false, 'a number', (v) => typeof v === 'number' && Number.isFinite(v));
    if (read === 'absent' || read === undefined) return undefined;
    const located = read as Located<number>;
    if (located.value < options.min) {
      this.problem(key, `must be at least ${options.min}, got ${located.value}`);
      return undefined;
    }
    return located;
  }

  boolean(key: string, options: { required?: boolean } = {}): Located<boolean> | undefined {
    const read = this.scalarOf(key, options.required ?? false, 'true or false', (v) => typeof v === 'boolean');
    if (read === 'absent' || read === undefined) return undefined;
    return read as Located<boolean>;
  }

  /** A string out of a fixed set, with a suggestion for near misses. */
  choice<T extends string>(key: string, values: readonly T[], options: { required?: boolean } = {}): Located<T> | undefined {
    const read = this.string(key, options);
    if (!read) return undefined;
    if (!(values as readonly string[]).includes(read.value)) {
      const quoted = values.map((v) => `\`${v}\``);
      const list = quoted.length > 2 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted.join(' or ');
      this.problem(key, `must be ${list}, not ${quoteValue(read.value)}${suggestion(read.value, values)}`);
      return undefined;
    }
    return read as Located<T>;
  }

  /** Items of a list with their paths and positions, or a report when it is not a list. */
  list(key: string, options: { required?: boolean; what?: string } = {}): Array<{ node: unknown; path: string; spot: Spot }> | undefined {
    const node = this.value(key, options.required ?? false);
    if (node === 'absent' || node === undefined) return undefined;
    if (!isSeq(node)) {
      this.problem(key, `expected ${options.what ?? 'a list'}, got ${describeNode(node)}`);
      return undefined;
    }
    return node.items.map((item, i) => {
      const resolved = this.source.resolve(item);
      return { node: resolved, path: childPath(this.childPath(key), i), spot: this.source.spotOf((isNull(resolved) ? node : resolved) as Node) };
    });
  }

  /** A nested mapping; undefined (and no report) when the key is absent. */
  mapping(key: string, allowed: readonly string[], options: { required?: boolean } = {}): Fields | undefined {
    const node = this.value(key, options.required ?? false);
    if (node === 'absent' || node === undefined) return undefined;
    return Fields.of(this.source, node, this.childPath(key), this.keySpot(key), allowed);
  }
}

/** A list item that must be a string (a CIDR, an address). */
export function stringItem(source: YamlSource, item: { node: unknown; path: string; spot: Spot }): Located<string> | undefined {
  if (source.secrets.has(item.node)) return undefined;
  if (!isScalar(item.node) || typeof item.node.value !== 'string') {
    source.issues.add(source.file, item.spot, item.path, `expected a string, got ${describeNode(item.node)}`);
    return undefined;
  }
  return { value: item.node.value, file: source.file, spot: item.spot, path: item.path };
}
