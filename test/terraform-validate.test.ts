/**
 * `terraform validate` with the real OpenStack provider, for every stack of every sample course and
 * every valid course fixture: what the stored-schema check (schema-check.test.ts) cannot see —
 * references, depends_on, expressions — terraform itself judges here. The provider comes from the
 * mirror of test/helpers/provider-mirror.ts; init symlinks it, so each stack costs well under a second.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse, loadCourseText } from '../src/course/load.js';
import { CourseError, type Course } from '../src/course/model.js';
import { synthCourse } from '../src/synth/synthesize.js';
import { PROJECT_ROOT, providerMirror } from './helpers/provider-mirror.js';

const PARALLEL = 4;
const mirror = await providerMirror();
const skip = 'skip' in mirror ? mirror.skip : undefined;
const cliConfig = 'skip' in mirror ? '' : mirror.cliConfig;

interface CourseCase {
  name: string;
  course: () => Course;
}

/** Every *.yaml below `dir`. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = join(dir, entry);
    if (statSync(file).isDirectory()) return yamlFiles(file);
    return entry.endsWith('.yaml') ? [file] : [];
  });
}

/** The sample course with some fields changed, as a course file in examples/ would be read. */
function sampleWith(change: (document: Record<string, Record<string, unknown>>) => void): Course {
  const file = join(PROJECT_ROOT, 'examples', 'course.yaml');
  const document = parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  change(document);
  return loadCourseText(stringify(document), 'examples/course.yaml', join(PROJECT_ROOT, 'examples'));
}

const skipped: string[] = [];
function courseCases(): CourseCase[] {
  const cases: CourseCase[] = yamlFiles(join(PROJECT_ROOT, 'examples')).map((file) => ({ name: relative(PROJECT_ROOT, file), course: () => loadCourse(file) }));
  cases.push(
    { name: 'examples/course.yaml with pipeline.storage: object', course: () => sampleWith((d) => void (d.pipeline!.storage = 'object')) },
    { name: 'examples/course.yaml with accounts.mode: project-per-learner', course: () => sampleWith((d) => void (d.accounts!.mode = 'project-per-learner')) },
    {
      name: 'examples/course.yaml without monitoring and workers',
      course: () => sampleWith((d) => {
        d.monitoring!.enabled = false;
        d.pipeline!.workers = 0;
      }),
    },
  );
  // Fixtures that are valid course files (the rest are deliberately broken, or not courses).
  for (const file of [...yamlFiles(join(PROJECT_ROOT, 'test', 'fixtures', 'course')), ...yamlFiles(join(PROJECT_ROOT, 'test', 'fixtures', 'cli'))]) {
    try {
      loadCourse(file);
      cases.push({ name: relative(PROJECT_ROOT, file), course: () => loadCourse(file) });
    } catch (error) {
      if (!(error instanceof CourseError)) throw error;
      skipped.push(relative(PROJECT_ROOT, file));
    }
  }
  return cases;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function terraform(cwd: string, args: string[], cliConfig: string): Promise<Run> {
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  return new Promise((done) => {
    execFile('terraform', args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
  range?: { filename: string; start: { line: number; column: number } };
  snippet?: { code?: string };
}

/** undefined when the stack is valid; else what terraform said, readable in a test failure. */
async function validateStack(dir: string, cliConfig: string): Promise<string | undefined> {
  const init = await terraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], cliConfig);
  if (init.code !== 0) return `terraform init failed (exit ${init.code}):\n${init.stdout}${init.stderr}`;
  const run = await terraform(dir, ['validate', '-json', '-no-color'], cliConfig);
  let result: { valid: boolean; diagnostics: Diagnostic[] };
  try {
    result = JSON.parse(run.stdout) as typeof result;
  } catch {
    return `terraform validate -json printed no JSON (exit ${run.code}):\n${run.stdout}${run.stderr}`;
  }
  if (result.valid && run.code === 0) return undefined;
  return result.diagnostics
    .map((d) => {
      const where = d.range ? `${d.range.filename}:${d.range.start.line}:${d.range.start.column}: ` : '';
      return `${where}${d.severity}: ${d.summary}${d.detail ? ` — ${d.detail}` : ''}${d.snippet?.code ? `\n    ${d.snippet.code.trim()}` : ''}`;
    })
    .join('\n') || `valid: ${result.valid}, exit ${run.code}\n${run.stderr}`;
}

/** At most `limit` calls of the returned function run at once, across every test of this file. */
function limiter(limit: number): <R>(work: () => Promise<R>) => Promise<R> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (active < limit) active++;
    // A finishing call hands its slot straight to the next one, so `active` never overshoots.
    else await new Promise<void>((resolveSlot) => waiting.push(resolveSlot));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'resops-validate-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(skip !== undefined)(`terraform validate of every synthesized stack${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  const cases = courseCases();
  let started = 0;
  let stacksValidated = 0;
  beforeAll(() => void (started = Date.now()));

  afterAll(() => {
    console.info(`terraform-validate: ${stacksValidated} stacks of ${cases.length} courses validated in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      ` (${PARALLEL} at once); fixtures that are not valid courses, left out: ${skipped.join(', ') || 'none'}`);
  });

  it('finds the sample courses and at least one valid fixture', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(['examples/course.yaml', 'examples/course-roster.yaml', 'test/fixtures/course/good-roster/course.yaml']));
  });

  // Concurrent: one course synthesizes while the stacks of others run terraform, PARALLEL at once in all.
  const slot = limiter(PARALLEL);
  it.concurrent.for(cases.map((c) => [c.name, c] as const))('%s', async ([name, { course }], { expect }) => {
    const out = join(scratch, name.replace(/[^a-z0-9.-]+/gi, '_'));
    const synth = synthCourse(course(), out);
    expect(synth.stacks.length).toBeGreaterThan(0);
    const problems = await Promise.all(synth.stacks.map((stack) => slot(async () => {
      const problem = await validateStack(stack.dir, cliConfig);
      stacksValidated++;
      return problem === undefined ? undefined : `${stack.name}:\n${problem}`;
    })));
    const invalid = problems.filter((p): p is string => p !== undefined);
    expect(invalid.length, `terraform validate rejected ${invalid.length} of ${synth.stacks.length} stacks of ${name}:\n\n${invalid.join('\n\n')}\n`).toBe(0);
  });
});
