/**
 * The openstack target: synthesize the course's stacks, then run terraform (or tofu) over them
 * in dependency order (src/terraform/runner.ts).
 */
import type { Course } from '../course/model.js';
import { synthCourse, type SynthesizedStack, type SynthResult } from '../synth/synthesize.js';
import { formatTable } from '../cli/table.js';
import { resolveBinary } from '../terraform/binary.js';
import { readStackOutputs } from '../terraform/outputs.js';
import { DEFAULT_CONCURRENCY, renderRunSummary, runStacks, type StackAction } from '../terraform/runner.js';
import type { CommandOptions, TargetDriver } from './driver.js';

export const DEFAULT_OUT_DIR = 'cdktf.out';

/** `init` fails mostly because the provider cannot be downloaded. */
const INIT_HINT =
  '`init` downloads the OpenStack provider from registry.terraform.io; without access to it, configure a provider mirror (provider_installation in the Terraform CLI configuration) or set TF_PLUGIN_CACHE_DIR to a directory that holds it';

export interface OpenstackDriverDeps {
  synth?: (course: Course, outDir: string) => SynthResult;
  /** Absolute path of the binary to run; default: `terraform` / `tofu` from PATH. */
  resolve?: (name: 'terraform' | 'tofu') => string;
  /** Result text (tables, JSON). Default: stdout. */
  out?: (line: string) => void;
  /** Progress text. Default: stdout, or stderr with --json so stdout stays parseable. */
  progress?: (line: string, json: boolean) => void;
}

/** One view of a course's state; `status` prints every source in turn. */
export interface StatusSection {
  title: string;
  ok: boolean;
  lines: string[];
  json: unknown;
}

export interface StatusContext {
  course: Course;
  synth: SynthResult;
  binary: string;
  options: CommandOptions;
}

export type StatusSource = (ctx: StatusContext) => Promise<StatusSection>;

/** What `status` shows. Issue 7 adds a cloud-side view (servers, leaks) as another source. */
export const STATUS_SOURCES: StatusSource[] = [learnerOutputs];

export function createOpenstackDriver(deps: OpenstackDriverDeps = {}): TargetDriver {
  const synth = deps.synth ?? synthCourse;
  const resolve = deps.resolve ?? ((name) => resolveBinary(name));
  const out = deps.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const progress =
    deps.progress ??
    ((line: string, json: boolean) => (json ? process.stderr : process.stdout).write(`${line}\n`));

  const prepare = (course: Course, options: CommandOptions) => {
    // The binary is checked before synthesizing so a missing terraform fails in milliseconds.
    const binary = resolve(options.tofu ? 'tofu' : 'terraform');
    const outDir = options.outDir ?? DEFAULT_OUT_DIR;
    const log = (line: string) => progress(line, options.json);
    log(`synthesizing ${course.id} into ${outDir} …`);
    const result = synth(course, outDir);
    log(`✔ synthesized ${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'}`);
    return { binary, synth: result, log };
  };

  const run = async (action: StackAction, course: Course, options: CommandOptions): Promise<number> => {
    const { binary, synth: result, log } = prepare(course, options);
    const report = await withInterrupt(log, (signal) => runStacks(result, action, { binary, log, signal }));
    if (options.json) {
      out(JSON.stringify(report, null, 2));
    } else {
      out('');
      for (const line of renderRunSummary(report)) out(line);
      if (report.outcomes.some((o) => o.failedStep === 'init')) out(`hint: ${INIT_HINT}`);
    }
    return report.ok ? 0 : 1;
  };

  return {
    plan: (course, options) => run('plan', course, options),
    up: (course, options) => run('apply', course, options),
    down: (course, options) => run('destroy', course, options),
    status: async (course, options) => {
      const { binary, synth: result } = prepare(course, options);
      const sections: StatusSection[] = [];
      for (const source of STATUS_SOURCES) sections.push(await source({ course, synth: result, binary, options }));
      if (options.json) {
        out(JSON.stringify({ course: course.id, sections: sections.map((s) => ({ title: s.title, ok: s.ok, data: s.json })) }, null, 2));
      } else {
        for (const section of sections) {
          out(section.title);
          for (const line of section.lines) out(`  ${line}`);
        }
      }
      return sections.every((s) => s.ok) ? 0 : 1;
    },
  };
}

export const openstackDriver: TargetDriver = createOpenstackDriver();

/**
 * First Ctrl-C: start nothing new and wait for running terraform processes, which stop cleanly on
 * their own (dying here would close their pipes mid-apply). Second Ctrl-C: exit at once.
 */
async function withInterrupt<T>(log: (line: string) => void, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    log('interrupted: waiting for running terraform steps to stop cleanly (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Addresses and other outputs of each learner stack, from its Terraform state. */
async function learnerOutputs(ctx: StatusContext): Promise<StatusSection> {
  const stacks = ctx.synth.stacks.filter(
    (s) => s.kind === 'learner' && (!ctx.options.learner || s.learnerId === ctx.options.learner),
  );
  const results = await mapBounded(stacks, DEFAULT_CONCURRENCY, async (stack: SynthesizedStack) => ({
    stack,
    outputs: await readStackOutputs(ctx.binary, stack.dir),
  }));
  const rows = results.map(({ stack, outputs }) => [
    stack.learnerId ?? stack.name,
    outputs.error
      ? `error: ${outputs.error}`
      : Object.keys(outputs.values).length === 0
        ? 'no outputs (not deployed yet?)'
        : Object.entries(outputs.values)
            .map(([name, value]) => `${name}=${formatValue(value)}`)
            .join('  '),
  ]);
  return {
    title: `learner stacks (terraform outputs of ${ctx.course.id})`,
    ok: results.every((r) => !r.outputs.error),
    lines: formatTable(['learner', 'outputs'], rows),
    json: results.map(({ stack, outputs }) => ({
      learner: stack.learnerId,
      stack: stack.name,
      outputs: outputs.values,
      ...(outputs.error ? { error: outputs.error } : {}),
    })),
  };
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(formatValue).join(',');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Like Promise.all over `items`, with at most `limit` in flight; results keep item order. */
export async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
