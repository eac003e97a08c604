/**
 * The openstack target: synthesize the course's stacks, then run terraform (or tofu) over them
 * in dependency order (src/terraform/runner.ts). `status` adds what the cloud itself reports, and
 * `down` ends with the leak check (and `--sweep`) through the toolkit's OpenStack client.
 */
import type { Course } from '../course/model.js';
import { synthCourse, type SynthesizedStack, type SynthResult } from '../synth/synthesize.js';
import { formatTable } from '../cli/table.js';
import { resolveBinary } from '../terraform/binary.js';
import { readStackOutputs, type StackOutputs } from '../terraform/outputs.js';
import { DEFAULT_CONCURRENCY, renderRunSummary, runStacks, type RunReport, type StackAction } from '../terraform/runner.js';
import { inspectStackState, nothingToDestroy } from '../terraform/state.js';
import { groupServersByLearner, renderServersByOwner, serversJson } from './cloud-servers-view.js';
import { askCloud, courseCloudName, openstackApi, type CourseCloudApi } from './course-cloud.js';
import { TargetError, type CommandOptions, type TargetDriver } from './driver.js';
import { renderLeakCheck, runLeakCheck, type LeakCheckResult } from './leak-check.js';

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
  /** What the sweep deletes, line by line. Default: stderr, so stdout holds only the result. */
  steps?: (line: string) => void;
  /** The OpenStack calls of `status` and the leak check. Default: the toolkit's client. */
  cloud?: CourseCloudApi;
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
  cloud: CourseCloudApi;
}

export type StatusSource = (ctx: StatusContext) => Promise<StatusSection>;

/** What `status` shows: what Terraform recorded, then what the cloud reports. */
export const STATUS_SOURCES: StatusSource[] = [learnerOutputs, cloudServers];

/** `down --json`: terraform's report, then the leak check (or why it did not run). */
export type DownReport = RunReport & {
  leakCheck: LeakCheckResult | { cloud: string; course: string; error: string; hint?: string; clean: false } | { skipped: string; clean: false };
};

export function createOpenstackDriver(deps: OpenstackDriverDeps = {}): TargetDriver {
  const synth = deps.synth ?? synthCourse;
  const resolve = deps.resolve ?? ((name) => resolveBinary(name));
  const out = deps.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const progress =
    deps.progress ??
    ((line: string, json: boolean) => (json ? process.stderr : process.stdout).write(`${line}\n`));
  const steps = deps.steps ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cloud = deps.cloud ?? openstackApi;

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

  /** Destroy every stack (those never applied are skipped: terraform cannot even init offline), then the leak check. */
  const down = async (course: Course, options: CommandOptions): Promise<number> => {
    const { binary, synth: result, log } = prepare(course, options);
    let interrupted = false;
    const report = await withInterrupt(log, async (signal) => {
      const destroyed = await runStacks(result, 'destroy', { binary, log, signal, nothingToDo: (stack) => nothingToDestroy(stack.dir) });
      interrupted = signal.aborted;
      return destroyed;
    });

    const cloudName = courseCloudName(course);
    let leakCheck: DownReport['leakCheck'];
    let cloudFailure: TargetError | undefined;
    if (interrupted) {
      leakCheck = { skipped: 'interrupted: the leak check did not run', clean: false };
    } else {
      log(`checking cloud "${cloudName}" for leftovers of ${course.id} …`);
      try {
        leakCheck = await runLeakCheck(cloud, {
          cloud: cloudName,
          ...(course.cloud.region ? { region: course.cloud.region } : {}),
          courseId: course.id,
          sweep: options.sweep === true,
          steps,
        });
      } catch (error) {
        if (!(error instanceof TargetError)) throw error;
        cloudFailure = error;
        leakCheck = { cloud: cloudName, course: course.id, error: error.message, ...(error.hint ? { hint: error.hint } : {}), clean: false };
      }
    }

    if (options.json) {
      const full: DownReport = { ...report, leakCheck };
      out(JSON.stringify(full, null, 2));
    } else {
      out('');
      for (const line of renderRunSummary(report)) out(line);
      if (report.outcomes.some((o) => o.failedStep === 'init')) out(`hint: ${INIT_HINT}`);
      out('');
      if ('before' in leakCheck) for (const line of renderLeakCheck(leakCheck, sweepCommand(course, options))) out(line);
      else if ('skipped' in leakCheck) out(`leak check: ${leakCheck.skipped}`);
    }
    // After the report is out, so the CLI prints the cloud's failure and its hint last.
    if (cloudFailure) throw cloudFailure;
    return report.ok && leakCheck.clean ? 0 : 1;
  };

  return {
    plan: (course, options) => run('plan', course, options),
    up: (course, options) => run('apply', course, options),
    down,
    status: async (course, options) => {
      const { binary, synth: result } = prepare(course, options);
      const sections: StatusSection[] = [];
      for (const source of STATUS_SOURCES) sections.push(await source({ course, synth: result, binary, options, cloud }));
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
    outputs: await stackOutputs(ctx.binary, stack.dir),
  }));
  const rows = results.map(({ stack, outputs }) => [
    stack.learnerId ?? stack.name,
    outputs.error
      ? `error: ${outputs.error}`
      : outputs.notDeployed
        ? 'not deployed (no state file)'
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
      ...(outputs.notDeployed ? { deployed: false } : {}),
      ...(outputs.error ? { error: outputs.error } : {}),
    })),
  };
}

/** A stack without a state file has no outputs; asking terraform would need the provider (init). */
async function stackOutputs(binary: string, dir: string): Promise<StackOutputs & { notDeployed?: boolean }> {
  if (inspectStackState(dir).kind === 'absent') return { values: {}, notDeployed: true };
  return readStackOutputs(binary, dir);
}

/**
 * Each learner's servers as the cloud reports them. A cloud that cannot be asked makes this
 * section say so (which cloud, which call, what failed) and leaves the other sections alone.
 */
async function cloudServers(ctx: StatusContext): Promise<StatusSection> {
  const { course, options } = ctx;
  const cloudName = courseCloudName(course);
  const title = `cloud servers (what cloud "${cloudName}" reports for ${course.id})`;
  try {
    const client = await askCloud(cloudName, 'connecting', () => ctx.cloud.connect(cloudName, course.cloud.region));
    const servers = await askCloud(cloudName, 'listing the course\'s servers', () => ctx.cloud.listCourseServers(client, course.id));
    const groups = groupServersByLearner(servers, course.learners.map((l) => l.id), options.learner);
    return { title, ok: true, lines: renderServersByOwner(groups), json: serversJson(cloudName, groups) };
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    return {
      title,
      ok: false,
      lines: [`✖ ${error.message}`, ...(error.hint ? [`hint: ${error.hint}`] : [])],
      json: { cloud: cloudName, error: error.message, ...(error.hint ? { hint: error.hint } : {}) },
    };
  }
}

/** The command that sweeps what the leak check found, as the user would type it. */
function sweepCommand(course: Course, options: CommandOptions): string {
  const flags = ['--target openstack', ...(options.outDir ? [`--out ${options.outDir}`] : []), ...(options.tofu ? ['--tofu'] : []), '--sweep'];
  return `resops down ${course.file} ${flags.join(' ')}`;
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
