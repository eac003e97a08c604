// Checks a synthesized cdk.tf.json against the provider schema (`terraform providers schema -json`).
// `terraform validate` would do this, but it needs the provider binary, which cannot be installed
// on course build machines; this catches the same class of mistakes offline, before a course
// starts: misspelled arguments, missing required ones, computed-only ones, block shapes and types.
import {
  OPENSTACK_PROVIDER_FQPN,
  type CtyType,
  type ProviderSchemaDocument,
  type SchemaAttribute,
  type SchemaBlock,
  type SchemaBlockType,
} from './provider-schema.js';
import { suggestion } from '../course/did-you-mean.js';

export type SchemaProblemKind =
  | 'unknown-type'
  | 'unknown-attribute'
  | 'missing-required'
  | 'computed-only'
  | 'nesting'
  | 'item-count'
  | 'type';

export interface SchemaProblem {
  /** JSON path into cdk.tf.json, e.g. resource.openstack_compute_instance_v2.alice_vm1.network[0].port */
  path: string;
  kind: SchemaProblemKind;
  message: string;
}

// Terraform's own arguments, valid on every resource/data source whatever the provider says.
// "//" is where cdktf keeps construct metadata.
const RESOURCE_META_ARGUMENTS = new Set([
  'depends_on',
  'count',
  'for_each',
  'provider',
  'lifecycle',
  'connection',
  'provisioner',
  '//',
]);
const PROVIDER_META_ARGUMENTS = new Set(['alias', 'version', '//']);
// Top-level keys that carry no provider arguments.
const IGNORED_TOP_LEVEL = new Set([
  '//',
  'terraform',
  'output',
  'locals',
  'variable',
  'module',
  'moved',
  'import',
  'removed',
  'check',
]);
// Resource types implemented by Terraform itself rather than by a provider.
const BUILTIN_TYPES = new Set(['terraform_data', 'terraform_remote_state']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Terraform template with a `${…}` or `%{…}` (not the `$${`/`%%{` escapes): resolves at plan time. */
export function isInterpolation(value: unknown): value is string {
  return typeof value === 'string' && /(^|[^$])\$\{|(^|[^%])%\{/.test(value);
}

function childPath(path: string, key: string): string {
  const segment = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
  if (path === '') return segment;
  return segment.startsWith('"') ? `${path}[${segment}]` : `${path}.${segment}`;
}

function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

function describeType(type: CtyType): string {
  if (typeof type === 'string') return type;
  switch (type[0]) {
    case 'list':
    case 'set':
    case 'map':
      return `${type[0]} of ${describeType(type[1])}`;
    case 'object':
      return 'object';
    case 'tuple':
      return `tuple of ${type[1].length}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value === 'boolean' ? 'bool' : typeof value} ${String(value)}`;
}

/** Protocol-6 nested attributes expressed as the cty type Terraform would check them against. */
function nestedAttributeType(attr: SchemaAttribute): CtyType {
  const nested = attr.nested_type!;
  const fields: Record<string, CtyType> = {};
  const optional: string[] = [];
  for (const [name, field] of Object.entries(nested.attributes)) {
    fields[name] = field.nested_type ? nestedAttributeType(field) : (field.type ?? 'dynamic');
    if (!field.required) optional.push(name);
  }
  const object: CtyType = ['object', fields, optional];
  switch (nested.nesting_mode) {
    case 'list':
    case 'set':
    case 'map':
      return [nested.nesting_mode, object];
    default:
      return object;
  }
}

class Checker {
  readonly problems: SchemaProblem[] = [];

  private report(path: string, kind: SchemaProblemKind, message: string): void {
    this.problems.push({ path, kind, message });
  }

  checkValue(value: unknown, type: CtyType, path: string): void {
    if (value === null || isInterpolation(value) || type === 'dynamic') return;
    const mismatch = (extra = ''): void =>
      this.report(path, 'type', `expected ${describeType(type)}, got ${describeValue(value)}${extra}`);
    if (typeof type === 'string') {
      const blockGiven = typeof value === 'object' ? ' (a block or collection where a single value is expected)' : '';
      if (type === 'string') {
        // cty converts numbers and bools to strings, so Terraform accepts them.
        if (typeof value === 'object') mismatch(blockGiven);
      } else if (type === 'number') {
        const ok =
          typeof value === 'number' ||
          (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));
        if (!ok) mismatch(blockGiven);
      } else if (type === 'bool') {
        if (!(typeof value === 'boolean' || value === 'true' || value === 'false')) mismatch(blockGiven);
      }
      return;
    }
    switch (type[0]) {
      case 'list':
      case 'set': {
        if (!Array.isArray(value)) return mismatch();
        value.forEach((element, i) => this.checkValue(element, type[1], indexPath(path, i)));
        return;
      }
      case 'map': {
        if (!isObject(value)) return mismatch();
        for (const [key, element] of Object.entries(value)) this.checkValue(element, type[1], childPath(path, key));
        return;
      }
      case 'object': {
        if (!isObject(value)) return mismatch();
        const fields = type[1];
        const optional = new Set(type.length === 3 ? type[2] : []);
        for (const [key, element] of Object.entries(value)) {
          const fieldType = fields[key];
          if (fieldType === undefined) {
            this.report(childPath(path, key), 'unknown-attribute', `unknown attribute "${key}" in object value${suggestion(key, Object.keys(fields))}`);
          } else {
            this.checkValue(element, fieldType, childPath(path, key));
          }
        }
        for (const key of Object.keys(fields)) {
          if (!(key in value) && !optional.has(key)) {
            this.report(childPath(path, key), 'missing-required', `object value is missing attribute "${key}"`);
          }
        }
        return;
      }
      case 'tuple': {
        if (!Array.isArray(value) || value.length !== type[1].length) return mismatch();
        value.forEach((element, i) => this.checkValue(element, type[1][i]!, indexPath(path, i)));
        return;
      }
    }
  }

  private checkAttribute(value: unknown, name: string, attr: SchemaAttribute, path: string): void {
    if (attr.computed && !attr.optional && !attr.required) {
      this.report(path, 'computed-only', `"${name}" is computed by the provider and cannot be set`);
      return;
    }
    this.checkValue(value, attr.nested_type ? nestedAttributeType(attr) : (attr.type ?? 'dynamic'), path);
  }

  private countItems(count: number, name: string, blockType: SchemaBlockType, path: string): void {
    const { min_items: min, max_items: max } = blockType;
    if (max !== undefined && max > 0 && count > max) {
      this.report(path, 'item-count', `"${name}" allows at most ${max} block${max === 1 ? '' : 's'}, got ${count}`);
    }
    if (min !== undefined && count < min) {
      this.report(path, 'item-count', `"${name}" needs at least ${min} block${min === 1 ? '' : 's'}, got ${count}`);
    }
  }

  private checkNestedBlock(value: unknown, name: string, blockType: SchemaBlockType, path: string, where: string): void {
    const inner = `block "${name}" of ${where}`;
    const mode = blockType.nesting_mode;
    if (value === null) return;
    if (!Array.isArray(value) && !isObject(value)) {
      const why = isInterpolation(value) ? ' (a block cannot be set from an expression; use a dynamic block)' : '';
      const expected = mode === 'single' || mode === 'group' ? 'an object' : mode === 'map' ? 'an object of labelled blocks' : 'a list of objects';
      this.report(path, 'nesting', `"${name}" is a block (nesting ${mode}), not an attribute: expected ${expected}, got ${describeValue(value)}${why}`);
      return;
    }
    switch (mode) {
      case 'single':
      case 'group':
        if (!isObject(value)) {
          this.report(path, 'nesting', `"${name}" is a single block: expected an object, got ${describeValue(value)}`);
          return;
        }
        this.checkBlock(value, blockType.block, path, inner, false);
        return;
      case 'list':
      case 'set':
        if (isObject(value)) {
          // cdktf synthesizes a block limited to one item as a bare object; Terraform accepts that.
          if (blockType.max_items === 1) {
            this.checkBlock(value, blockType.block, path, inner, false);
            this.countItems(1, name, blockType, path);
            return;
          }
          this.report(path, 'nesting', `"${name}" is a ${mode} of blocks: expected a list of objects, got an object`);
          return;
        }
        value.forEach((item, i) => {
          if (isObject(item)) this.checkBlock(item, blockType.block, indexPath(path, i), inner, false);
          else this.report(indexPath(path, i), 'nesting', `a "${name}" block must be an object, got ${describeValue(item)}`);
        });
        this.countItems(value.length, name, blockType, path);
        return;
      case 'map':
        if (!isObject(value)) {
          this.report(path, 'nesting', `"${name}" is a map of blocks: expected an object of labelled blocks, got ${describeValue(value)}`);
          return;
        }
        for (const [label, item] of Object.entries(value)) {
          const itemPath = childPath(path, label);
          if (isObject(item)) this.checkBlock(item, blockType.block, itemPath, inner, false);
          else this.report(itemPath, 'nesting', `a "${name}" block must be an object, got ${describeValue(item)}`);
        }
        return;
    }
  }

  /** `dynamic.<block>` generates blocks at plan time; check its content once. Returns the block names it covers. */
  private checkDynamic(value: unknown, block: SchemaBlock, path: string, where: string): Set<string> {
    const covered = new Set<string>();
    if (!isObject(value)) {
      this.report(path, 'nesting', `"dynamic" must be an object of block names, got ${describeValue(value)}`);
      return covered;
    }
    const blockTypes = block.block_types ?? {};
    for (const [name, spec] of Object.entries(value)) {
      const specPath = childPath(path, name);
      const blockType = blockTypes[name];
      if (!blockType) {
        this.report(specPath, 'unknown-attribute', `unknown block type "${name}" in dynamic block of ${where}${suggestion(name, Object.keys(blockTypes))}`);
        continue;
      }
      covered.add(name);
      const specs = Array.isArray(spec) ? spec : [spec];
      specs.forEach((one, i) => {
        const onePath = Array.isArray(spec) ? indexPath(specPath, i) : specPath;
        if (!isObject(one)) {
          this.report(onePath, 'nesting', `dynamic "${name}" must be an object with for_each and content, got ${describeValue(one)}`);
        } else if (isObject(one.content)) {
          this.checkBlock(one.content, blockType.block, childPath(onePath, 'content'), `block "${name}" of ${where}`, false);
        } else {
          this.report(childPath(onePath, 'content'), 'nesting', `dynamic "${name}" needs a "content" object`);
        }
      });
    }
    return covered;
  }

  checkBlock(body: JsonObject, block: SchemaBlock, path: string, where: string, meta: Set<string> | false): void {
    const attributes = block.attributes ?? {};
    const blockTypes = block.block_types ?? {};
    let dynamicBlocks = new Set<string>();
    for (const [key, value] of Object.entries(body)) {
      const keyPath = childPath(path, key);
      if (key === '//' || (meta && meta.has(key))) continue;
      const attr = attributes[key];
      const blockType = blockTypes[key];
      if (attr) this.checkAttribute(value, key, attr, keyPath);
      else if (blockType) this.checkNestedBlock(value, key, blockType, keyPath, where);
      else if (key === 'dynamic' && Object.keys(blockTypes).length > 0) dynamicBlocks = this.checkDynamic(value, block, keyPath, where);
      else {
        const known = [...Object.keys(attributes), ...Object.keys(blockTypes)];
        this.report(keyPath, 'unknown-attribute', `unknown argument "${key}" in ${where}${suggestion(key, known)}`);
      }
    }
    for (const [name, attr] of Object.entries(attributes)) {
      if (attr.required && (body[name] === undefined || body[name] === null)) {
        this.report(childPath(path, name), 'missing-required', `missing required argument "${name}" in ${where}`);
      }
    }
    for (const [name, blockType] of Object.entries(blockTypes)) {
      const min = blockType.min_items ?? 0;
      if (min > 0 && body[name] === undefined && !dynamicBlocks.has(name)) {
        this.report(childPath(path, name), 'missing-required', `missing required block "${name}" in ${where} (at least ${min})`);
      }
    }
  }
}

function providerLocalName(doc: JsonObject, fqpn: string): string {
  const wanted = fqpn.split('/').slice(-2).join('/').toLowerCase();
  const terraform = doc.terraform;
  const required = isObject(terraform) ? terraform.required_providers : undefined;
  if (isObject(required)) {
    for (const [local, spec] of Object.entries(required)) {
      const source = isObject(spec) && typeof spec.source === 'string' ? spec.source.toLowerCase() : undefined;
      if (source && source.split('/').slice(-2).join('/') === wanted) return local;
    }
  }
  return fqpn.split('/').pop()!;
}

/**
 * Checks a parsed cdk.tf.json against one provider's schema and returns every problem found (empty
 * when it conforms). `${…}` strings are accepted for any type, since they resolve at plan time.
 * Terraform meta-arguments and the terraform/output/locals/variable sections are not checked.
 */
export function checkTerraformJson(
  tfJson: unknown,
  schema: ProviderSchemaDocument,
  providerFqpn: string = OPENSTACK_PROVIDER_FQPN,
): SchemaProblem[] {
  const checker = new Checker();
  const provider = schema.provider_schemas[providerFqpn];
  if (!provider) throw new Error(`provider schema has no "${providerFqpn}"`);
  if (!isObject(tfJson)) {
    checker.problems.push({ path: '', kind: 'nesting', message: `expected a Terraform JSON object, got ${describeValue(tfJson)}` });
    return checker.problems;
  }
  const localName = providerLocalName(tfJson, providerFqpn);
  const providerLabel = providerFqpn.split('/').slice(-2).join('/');

  const checkTypes = (section: 'resource' | 'data', schemas: Record<string, { block: SchemaBlock }>): void => {
    const value = tfJson[section];
    if (value === undefined) return;
    const noun = section === 'resource' ? 'resource' : 'data source';
    if (!isObject(value)) {
      checker.problems.push({ path: section, kind: 'nesting', message: `"${section}" must be an object of types, got ${describeValue(value)}` });
      return;
    }
    for (const [type, instances] of Object.entries(value)) {
      const typePath = childPath(section, type);
      if (type === '//' || BUILTIN_TYPES.has(type)) continue;
      const typeSchema = schemas[type];
      if (!typeSchema) {
        const prefix = type.split('_')[0]!;
        const message =
          prefix === localName
            ? `unknown ${noun} type "${type}": not in the ${providerLabel} schema${suggestion(type, Object.keys(schemas))}`
            : `unknown ${noun} type "${type}": no schema for provider "${prefix}" (only ${providerLabel} is checked)`;
        checker.problems.push({ path: typePath, kind: 'unknown-type', message });
        continue;
      }
      if (!isObject(instances)) {
        checker.problems.push({ path: typePath, kind: 'nesting', message: `expected an object of named ${noun}s, got ${describeValue(instances)}` });
        continue;
      }
      for (const [name, body] of Object.entries(instances)) {
        const bodies = Array.isArray(body) ? body : [body];
        bodies.forEach((one, i) => {
          const path = Array.isArray(body) ? indexPath(childPath(typePath, name), i) : childPath(typePath, name);
          if (isObject(one)) checker.checkBlock(one, typeSchema.block, path, type, RESOURCE_META_ARGUMENTS);
          else checker.problems.push({ path, kind: 'nesting', message: `a ${noun} must be an object, got ${describeValue(one)}` });
        });
      }
    }
  };

  for (const key of Object.keys(tfJson)) {
    if (IGNORED_TOP_LEVEL.has(key) || key === 'resource' || key === 'data' || key === 'provider') continue;
    checker.problems.push({ path: childPath('', key), kind: 'unknown-attribute', message: `unknown top-level key "${key}"` });
  }

  const providers = tfJson.provider;
  if (providers !== undefined) {
    if (!isObject(providers)) {
      checker.problems.push({ path: 'provider', kind: 'nesting', message: `"provider" must be an object, got ${describeValue(providers)}` });
    } else {
      for (const [name, configs] of Object.entries(providers)) {
        const path = childPath('provider', name);
        if (name !== localName) {
          checker.problems.push({ path, kind: 'unknown-type', message: `no schema for provider "${name}" (only ${providerLabel} is checked)` });
          continue;
        }
        const list = Array.isArray(configs) ? configs : [configs];
        list.forEach((config, i) => {
          const configPath = Array.isArray(configs) ? indexPath(path, i) : path;
          if (!isObject(config)) {
            checker.problems.push({ path: configPath, kind: 'nesting', message: `provider configuration must be an object, got ${describeValue(config)}` });
          } else if (provider.provider) {
            checker.checkBlock(config, provider.provider.block, configPath, `provider "${name}"`, PROVIDER_META_ARGUMENTS);
          }
        });
      }
    }
  }

  checkTypes('resource', provider.resource_schemas ?? {});
  checkTypes('data', provider.data_source_schemas ?? {});
  return checker.problems;
}

/** One line per problem, prefixed with the file they came from: `cdk.tf.json: resource.x.y.z: message`. */
export function formatSchemaProblems(problems: readonly SchemaProblem[], file = 'cdk.tf.json'): string {
  return problems.map((p) => `${file}: ${p.path}: ${p.message}`).join('\n');
}
