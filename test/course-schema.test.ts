/**
 * The JSON Schema of `resops schema` and loadCourse() agree: both are made from the field table
 * (src/course/schema/course-fields.ts), and this holds them to it with a real JSON Schema
 * validator. Every sample passes both; every error fixture fails the loader and, unless its
 * errors are all beyond a schema (listed below with the reason), the schema too, at fields the
 * loader also names; and for every field of the table, values that break its type, limits,
 * pattern or set are refused by both at the same path, and its boundary values taken by both.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseCidr, parseIpv4 } from '../src/course/cidr.js';
import { loadCourse, loadCourseText } from '../src/course/load.js';
import { CourseError } from '../src/course/model.js';
import { COURSE_FILE } from '../src/course/schema/course-fields.js';
import { DOCS_FILE, renderDocs, UPDATE_COMMAND } from '../src/course/schema/docs-tables.js';
import type { Field, MappingField } from '../src/course/schema/field-types.js';
import { courseJsonSchema, courseJsonSchemaText, SCHEMA_FILE, type Json } from '../src/course/schema/json-schema.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const EDITOR_LINE = `# yaml-language-server: $schema=../${SCHEMA_FILE}`;

/**
 * Error fixtures whose every error needs more than one field, a file, or the key data — what a
 * schema of single fields cannot say. The schema must take them (else the entry is stale).
 */
const BEYOND_SCHEMA: Record<string, string> = {
  'course/bad-roster/course.yaml': 'its problems are in the roster CSV, which the schema never reads',
  'course/schema-agreement/dates-out-of-order.yaml': 'end before start compares two fields',
  'course/schema-agreement/not-a-calendar-date.yaml': 'the pattern says YYYY-MM-DD; which days a month has is the loader\'s',
  'course/schema-agreement/cidr-host-bits.yaml': 'host bits are arithmetic on the address, not its shape',
  'course/schema-agreement/public-cidr.yaml': 'private ranges are arithmetic on the address, not its shape',
  'course/schema-agreement/network-too-small.yaml': 'the network\'s size against the number of learners',
  'course/schema-agreement/subnet-prefix-too-short.yaml': 'subnet_prefix against the prefix of cidr',
  'course/schema-agreement/duplicate-learner-ids.yaml': 'unique by id across list items is beyond JSON Schema',
  'course/schema-agreement/colliding-ports.yaml': 'ports against each other and against ssh_port_base',
  'course/schema-agreement/ssh-ports-overflow.yaml': 'ssh_port_base against learners and their VMs',
  'course/schema-agreement/corrupt-key-data.yaml': 'the key data inside the base64, not the line\'s shape',
  'course/schema-agreement/duplicate-key.yaml': 'a YAML matter: yaml-language-server reports duplicate keys itself; JSON has one value per key',
  'course/schema-agreement/state-dir-outside.yaml': 'where a path leads once normalised',
  'course/schema-agreement/provider-mirror-tilde.yaml': 'a path rule the loader explains better than a pattern would',
  'course/schema-agreement/openstack-monitoring-flavor.yaml': 'the monitoring flavor is needed when monitoring is enabled, by default too',
  'course/schema-agreement/roster-not-found.yaml': 'whether a file exists',
};

// strictRequired would want each `required` beside its `properties`; oneOf and then name fields defined above them.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
// yaml-language-server shows it instead of `description`; it checks nothing.
ajv.addKeyword({ keyword: 'markdownDescription', schemaType: 'string' });
const validate = ajv.compile(courseJsonSchema());

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) return entry === '.resops' ? [] : yamlFiles(file);
    return entry.endsWith('.yaml') ? [file] : [];
  });
}

/** The document as an editor hands it to the schema (last of duplicate keys wins, as in JSON). */
function documentOf(text: string): Json {
  return parse(text, { uniqueKeys: false }) as Json;
}

/** `learners[0].vms` for an error of the schema, in the loader's spelling. */
function errorPath(error: ErrorObject): string {
  const base = error.instancePath.split('/').slice(1).reduce((parent, segment) => (/^\d+$/.test(segment) ? `${parent}[${segment}]` : parent ? `${parent}.${segment}` : segment), '');
  const params = error.params as { additionalProperty?: string; missingProperty?: string };
  const child = error.keyword === 'additionalProperties' ? params.additionalProperty : error.keyword === 'required' ? params.missingProperty : undefined;
  return child === undefined ? base : base ? `${base}.${child}` : child;
}

/**
 * Where the schema finds problems. `if` only says its `then` failed (whose errors are listed
 * too); `learners` or `roster` fails as a whole, at no one field.
 */
function schemaPaths(document: Json): { valid: boolean; paths: string[] } {
  const valid = validate(document);
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf' && !e.schemaPath.includes('/oneOf/'));
  return { valid, paths: [...new Set(errors.map(errorPath))].sort() };
}

function loaderPaths(load: () => unknown): { valid: boolean; paths: string[] } {
  try {
    load();
    return { valid: true, paths: [] };
  } catch (error) {
    if (!(error instanceof CourseError)) throw error;
    return { valid: false, paths: [...new Set(error.issues.map((issue) => issue.path))].sort() };
  }
}

function resops(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/resops.mjs', ...args], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('the committed schema and docs', () => {
  it('resops schema prints the schema, --out writes it, and schema/course.schema.json is that text', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'resops-schema-'));
    const out = path.join(dir, 'nested', 'course.schema.json');
    const [printed, written, help] = await Promise.all([resops('schema'), resops('schema', '--out', out), resops('schema', '--help')]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(courseJsonSchemaText());
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(courseJsonSchemaText());
    expect(help.stdout).toContain('usage: resops schema [--out FILE]');
    rmSync(dir, { recursive: true, force: true });
    expect(readFileSync(path.join(ROOT, SCHEMA_FILE), 'utf8'), `${SCHEMA_FILE} is out of date: run \`${UPDATE_COMMAND}\``).toBe(courseJsonSchemaText());
  });

  it(`the field tables of ${DOCS_FILE} are the table's`, () => {
    const text = readFileSync(path.join(ROOT, DOCS_FILE), 'utf8');
    const rendered = renderDocs(text);
    expect(rendered.problems).toEqual([]);
    expect(rendered.text === text, `${DOCS_FILE} is out of date: run \`${UPDATE_COMMAND}\``).toBe(true);
  });

  it('every sample course names the schema on its first line', () => {
    const samples = yamlFiles(EXAMPLES);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const file of samples) {
      expect(readFileSync(file, 'utf8').split('\n')[0], file).toBe(EDITOR_LINE);
      expect(statSync(path.resolve(path.dirname(file), `../${SCHEMA_FILE}`)).isFile()).toBe(true);
    }
  });
});

describe('samples and fixtures: the schema agrees with loadCourse', () => {
  const files = [...yamlFiles(EXAMPLES), ...yamlFiles(FIXTURES).filter((file) => !file.includes(`${path.sep}exercises${path.sep}`))];

  it('every sample and valid fixture passes both', () => {
    const valid = files.filter((file) => loaderPaths(() => loadCourse(file)).valid);
    expect(valid.map((file) => path.relative(ROOT, file))).toEqual(expect.arrayContaining(['examples/course.yaml', 'examples/course-roster.yaml', 'test/fixtures/cli/good-course.yaml']));
    for (const file of valid) expect(schemaPaths(documentOf(readFileSync(file, 'utf8'))), file).toEqual({ valid: true, paths: [] });
  });

  it('every error fixture fails the schema too, at fields the loader names — or is listed as beyond it', () => {
    const broken = files.filter((file) => !loaderPaths(() => loadCourse(file)).valid);
    expect(broken.length).toBeGreaterThan(35);
    const disagreements: string[] = [];
    for (const file of broken) {
      const name = path.relative(FIXTURES, file).split(path.sep).join('/');
      const loader = loaderPaths(() => loadCourse(file));
      const schema = schemaPaths(documentOf(readFileSync(file, 'utf8')));
      if (BEYOND_SCHEMA[name] !== undefined) {
        if (!schema.valid) disagreements.push(`${name}: listed as beyond the schema, but the schema refuses it at ${schema.paths.join(', ')}`);
        continue;
      }
      if (schema.valid) disagreements.push(`${name}: the loader refuses it (${loader.paths.join(', ')}) but the schema takes it`);
      const unknown = schema.paths.filter((p) => !loader.paths.includes(p));
      if (unknown.length) disagreements.push(`${name}: the schema refuses ${unknown.join(', ')}, the loader only ${loader.paths.join(', ')}`);
    }
    expect(disagreements).toEqual([]);
    for (const name of Object.keys(BEYOND_SCHEMA)) expect(broken.map((file) => path.relative(FIXTURES, file).split(path.sep).join('/'))).toContain(name);
  });
});

/** A value to write at a field, and whether the field takes it. */
interface Probe {
  value: unknown;
  takes: boolean;
}

/** Values that break one thing the table says of `field`, and values at its limits. */
function probes(field: Field, nullable: boolean): Probe[] {
  const no = (value: unknown): Probe => ({ value, takes: false });
  const yes = (value: unknown): Probe => ({ value, takes: true });
  // Written without a value counts as not written: fine for an optional field, not for the others.
  const optional = nullable ? [yes(null)] : [no(null)];
  switch (field.kind) {
    case 'string': {
      const pattern = field.pattern?.regex ?? field.shape;
      return [
        ...optional,
        no(42),
        no([field.default ?? 'x']),
        ...((field.nonEmpty ?? true) ? [no(' ')] : []),
        ...(pattern && !pattern.test('Bad Value!') ? [no('Bad Value!')] : []),
        ...(field.maxLength ? [no('a'.repeat(field.maxLength.max + 1))] : []),
        ...(field.reserved ? [no(field.reserved.values[0]), no('worker7')] : []),
        ...(field.default !== undefined ? [yes(field.default)] : []),
      ];
    }
    case 'integer':
      return [...optional, no('two'), no(1.5), no(field.min - 1), no(field.max + 1), yes(field.min), yes(field.max)];
    case 'number':
      return [...optional, no('cheap'), no(field.min - 0.5), yes(field.min)];
    case 'boolean':
      return [...optional, no('yes'), yes(true), yes(false)];
    case 'choice':
      return [...optional, no(`${field.values[0]}s`), no(42), ...field.values.map(yes)];
    case 'date':
      return [...optional, no('1 Dec 2026'), no(20261201)];
    case 'list':
      return [...optional, no('9.9.9.9'), ...(field.minItems === undefined ? [yes([])] : [no([])])];
    case 'mapping':
      return [...optional, no(['x'])];
  }
}

/**
 * Boundary values the table allows but a rule across fields refuses in the sample; the reason
 * says which rule.
 */
const CROSS_FIELD: Record<string, string> = {
  'network.subnet_prefix = 1': 'subnets must be longer than the sample\'s /16',
  'local.ssh_port_base = 65525': 'the learners\' SSH ports would pass 65535',
  'cloud = null': 'the sample\'s budget needs cloud.prices',
  'cloud.prices = null': 'the sample\'s budget needs cloud.prices',
};

/** Every field of the table with a path into the sample (`learners[0].vms`), and whether it may be written without a value. */
function fieldsOf(mapping: MappingField, parent: string[] = []): Array<{ path: string[]; field: Field; nullable: boolean }> {
  const grouped = new Set((mapping.exactlyOne ?? []).flat());
  return Object.entries(mapping.fields).flatMap(([key, field]) => {
    const at = [...parent, key];
    const here = [{ path: at, field, nullable: !field.required && !grouped.has(key) }];
    if (field.kind === 'mapping') return [...here, ...fieldsOf(field, at)];
    if (field.kind === 'list' && field.items.kind === 'mapping') return [...here, ...fieldsOf(field.items, [...at, '0'])];
    return here;
  });
}

const spelt = (at: string[]) => at.reduce((p, s) => (/^\d+$/.test(s) ? `${p}[${s}]` : p ? `${p}.${s}` : s), '');

function sampleWith(at: string[], change: (parent: Record<string, unknown>, key: string) => void): Record<string, unknown> {
  const document = parse(readFileSync(path.join(EXAMPLES, 'course.yaml'), 'utf8')) as Record<string, unknown>;
  let parent = document;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  change(parent, at[at.length - 1]!);
  return document;
}

function bothOn(document: Record<string, unknown>): { loader: { valid: boolean; paths: string[] }; schema: { valid: boolean; paths: string[] } } {
  return { loader: loaderPaths(() => loadCourseText(stringify(document), 'course.yaml', EXAMPLES)), schema: schemaPaths(document as Json) };
}

describe('every field of the table: the schema and loadCourse agree', () => {
  // Exactly one of these is written; the fixtures cover writing both or neither.
  const fields = fieldsOf(COURSE_FILE).filter(({ path: at }) => at[0] !== 'roster');

  it('on values that break a field\'s type, limits, pattern or set, and on its boundary values', () => {
    const disagreements: string[] = [];
    let count = 0;
    for (const { path: at, field, nullable } of fields) {
      for (const probe of probes(field, nullable)) {
        const name = `${spelt(at)} = ${JSON.stringify(probe.value)}`;
        const result = bothOn(sampleWith(at, (parent, key) => void (parent[key] = probe.value)));
        count++;
        const expected = probe.takes ? { valid: true, paths: [] } : { valid: false, paths: [spelt(at)] };
        if (probe.takes && CROSS_FIELD[name] !== undefined) {
          if (result.loader.valid || !result.schema.valid) disagreements.push(`${name}: listed in CROSS_FIELD, yet the loader takes it or the schema refuses it`);
          continue;
        }
        if (JSON.stringify(result.loader) !== JSON.stringify(expected) || JSON.stringify(result.schema) !== JSON.stringify(expected)) {
          disagreements.push(`${name}: expected ${JSON.stringify(expected)}, loader ${JSON.stringify(result.loader)}, schema ${JSON.stringify(result.schema)}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(count).toBeGreaterThan(200);
  });

  it('on unknown fields in every mapping, and on each required field left out', () => {
    const disagreements: string[] = [];
    const mappings = [{ path: [] as string[], field: COURSE_FILE as Field }, ...fields].filter(({ field }) => field.kind === 'mapping' || (field.kind === 'list' && field.items.kind === 'mapping'));
    for (const { path: at, field } of mappings) {
      const mapping = (field.kind === 'list' ? field.items : field) as MappingField;
      const where = field.kind === 'list' ? [...at, '0'] : at;
      const cases = [
        { name: `${spelt([...where, 'colour'])} written`, document: sampleWith([...where, 'colour'], (parent, key) => void (parent[key] = 'blue')), paths: [spelt([...where, 'colour'])] },
        ...Object.entries(mapping.fields)
          .filter(([, child]) => child.required)
          .map(([key]) => ({ name: `${spelt([...where, key])} left out`, document: sampleWith([...where, key], (parent, k) => void delete parent[k]), paths: [spelt([...where, key])] })),
      ];
      for (const { name, document, paths } of cases) {
        const result = bothOn(document);
        const expected = { valid: false, paths };
        if (JSON.stringify(result) !== JSON.stringify({ loader: expected, schema: expected })) disagreements.push(`${name}: loader ${JSON.stringify(result.loader)}, schema ${JSON.stringify(result.schema)}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('target: openstack requires in the schema what it requires in the loader', () => {
    const withoutImage = sampleWith(['cloud', 'image'], (parent, key) => void delete parent[key]);
    withoutImage.target = 'openstack';
    expect(bothOn(withoutImage)).toEqual({ loader: { valid: false, paths: ['cloud.image'] }, schema: { valid: false, paths: ['cloud.image'] } });
    withoutImage.target = 'local';
    expect(bothOn(withoutImage)).toEqual({ loader: { valid: true, paths: [] }, schema: { valid: true, paths: [] } });
  });
});

describe('the patterns editors get for values the loader parses in code', () => {
  const cidr = COURSE_FILE.fields.network.fields.cidr.shape!;
  const address = COURSE_FILE.fields.cloud.fields.dns_servers.items;

  it('a CIDR\'s shape takes what parseCidr takes and refuses what it cannot read', () => {
    const samples = ['10.42.0.0/16', '0.0.0.0/0', '255.255.255.255/32', '192.0.2.0/24', '10.42.0.1/16', '10.42.0.0', '10.42.0/16', '10.42.0.0/33', '010.1.0.0/16', '10.42.0.0/016', '10.256.0.0/16', 'any', '1.2.3.4/ 8'];
    for (const text of samples) {
      const parsed = parseCidr(text);
      const readable = parsed.ok || !parsed.reason.includes('is not an IPv4 CIDR');
      expect(cidr.test(text), text).toBe(readable);
    }
  });

  it('an address\'s shape takes what parseIpv4 takes', () => {
    const shape = address.kind === 'string' ? address.shape! : /$^/;
    for (const text of ['9.9.9.9', '149.112.112.112', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', 'dns.example', '1.2.3.4.5']) {
      expect(shape.test(text), text).toBe(parseIpv4(text).ok);
    }
  });
});
