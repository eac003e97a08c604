// Types for `terraform providers schema -json` (format 1.0) and loading the stored OpenStack
// provider schema. The provider binary cannot be downloaded on course build machines, so this
// stored dump is the only way to check synthesized Terraform offline.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPENSTACK_PROVIDER_FQPN = 'registry.terraform.io/terraform-provider-openstack/openstack';
export const PROVIDER_SCHEMA_ENV = 'RESOPS_PROVIDER_SCHEMA';

/** A cty type as Terraform serialises it: "string", ["list", T], ["object", {…}, [optional…]], … */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list' | 'set' | 'map', CtyType]
  | readonly ['object', Readonly<Record<string, CtyType>>]
  | readonly ['object', Readonly<Record<string, CtyType>>, readonly string[]]
  | readonly ['tuple', readonly CtyType[]];

export type NestingMode = 'single' | 'group' | 'list' | 'set' | 'map';

export interface SchemaAttribute {
  type?: CtyType;
  /** Protocol 6 nested attributes; the OpenStack provider (protocol 5) has none, but be ready. */
  nested_type?: { attributes: Record<string, SchemaAttribute>; nesting_mode: NestingMode };
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
}

export interface SchemaBlockType {
  nesting_mode: NestingMode;
  block: SchemaBlock;
  min_items?: number;
  max_items?: number;
}

export interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, SchemaBlockType>;
  deprecated?: boolean;
}

export interface ResourceSchema {
  version: number;
  block: SchemaBlock;
}

export interface ProviderSchemaEntry {
  provider?: ResourceSchema;
  resource_schemas?: Record<string, ResourceSchema>;
  data_source_schemas?: Record<string, ResourceSchema>;
}

export interface ProviderSchemaDocument {
  format_version: string;
  provider_schemas: Record<string, ProviderSchemaEntry>;
  provider_versions?: Record<string, string>;
}

export interface LoadedProviderSchema {
  /** Absolute path of the file it came from, for messages. */
  path: string;
  /** Provider version from the file name (schema-3.4.0.json → "3.4.0"), when it has one. */
  version?: string;
  document: ProviderSchemaDocument;
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCHEMA_FILE = /^schema-(\d+)\.(\d+)\.(\d+)\.json$/;

/** Where the stored schemas live when the project sits next to ../shared. */
export function defaultSchemaDirectory(projectRoot: string = PROJECT_ROOT): string {
  return resolve(projectRoot, '..', 'shared', 'openstack-provider');
}

function versionOf(file: string): [number, number, number] | undefined {
  const m = SCHEMA_FILE.exec(file);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The schema-X.Y.Z.json with the highest version in `dir`, or undefined. */
export function newestSchemaFile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  let best: { file: string; v: [number, number, number] } | undefined;
  for (const file of readdirSync(dir)) {
    const v = versionOf(file);
    if (v && (!best || compareVersions(v, best.v) > 0)) best = { file, v };
  }
  return best ? resolve(dir, best.file) : undefined;
}

/** Reads and shape-checks one schema file; throws naming the file when it is not a provider schema. */
export function readProviderSchema(path: string): LoadedProviderSchema {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read provider schema: ${(err as Error).message}`);
  }
  const doc = parsed as Partial<ProviderSchemaDocument> | null;
  if (!doc || typeof doc !== 'object' || typeof doc.format_version !== 'string') {
    throw new Error(`${path}: not a \`terraform providers schema -json\` document (no format_version)`);
  }
  if (!doc.format_version.startsWith('1.')) {
    throw new Error(`${path}: format_version ${doc.format_version} is not supported (expected 1.x)`);
  }
  if (!doc.provider_schemas?.[OPENSTACK_PROVIDER_FQPN]) {
    throw new Error(`${path}: provider_schemas has no "${OPENSTACK_PROVIDER_FQPN}"`);
  }
  const v = versionOf(path.split(/[\\/]/).pop() ?? '');
  return { path, version: v?.join('.'), document: doc as ProviderSchemaDocument };
}

/**
 * Finds and loads the OpenStack provider schema: `explicitPath`, else $RESOPS_PROVIDER_SCHEMA, else
 * the newest ../shared/openstack-provider/schema-*.json. Undefined only when none was asked for
 * and none is stored; an explicit path or env value naming a missing file is an error.
 */
export function loadProviderSchema(
  explicitPath?: string,
  env: NodeJS.ProcessEnv = process.env,
): LoadedProviderSchema | undefined {
  const asked = explicitPath ?? env[PROVIDER_SCHEMA_ENV];
  if (asked) {
    const path = resolve(asked);
    const origin = explicitPath ? 'provider schema' : PROVIDER_SCHEMA_ENV;
    if (!existsSync(path)) throw new Error(`${origin} ${path}: file does not exist`);
    return readProviderSchema(path);
  }
  const found = newestSchemaFile(defaultSchemaDirectory());
  return found ? readProviderSchema(found) : undefined;
}
