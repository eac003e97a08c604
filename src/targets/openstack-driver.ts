/**
 * The openstack target: synthesize the course's stacks, then run terraform (or tofu) over them
 * in dependency order (src/terraform/runner.ts). `status` adds what the cloud itself reports, and
 * `down` ends with the leak check (and `--sweep`) through the toolkit's OpenStack client.
 */
import { protectTerraformState } from '../terraform/state-modes.js';
import { existingAdminLogin } from '../access/gnocchi-users.js';
import type { Course } from '../course/model.js';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { accountFile } from '../accounts/learner-accounts.js';
import { ACCOUNT_NAMES } from '../course/naming.js';
import { cloudsFilesEnv, effectiveCloudName } from '../openstack/cloud-config.js';
import { synthCourse, type SynthesizedStack, type SynthResult } from '../synth/synthesize.js';
import { formatTable } from '../cli/table.js';
import { resolveBinary } from '../terraform/binary.js';
import { readStackOutputs, type StackOutputs } from '../terraform/outputs.js';
import { DEFAULT_CONCURRENCY, renderRunSummary, runStacks, type RunnerOptions, type RunReport } from '../terraform/runner.js';
import { inspectStackState, nothingToDestroy } from '../terraform/state.js';
import { findOrphanStacks, forgetAppliedConfig, saveAppliedConfig, type OrphanStack } from '../terraform/applied-configs.js';
import { terraformEnvironment } from '../terraform/environment.js';
import type { TerraformCliSettings } from '../terraform/mirror.js';
import { waitForEarlierRun } from '../terraform/stack-holder.js';
import { checkQuotaFor, quotaExceededError, type QuotaGateResult } from './quota-gate.js';
import { groupServersByLearner, renderServersByOwner, serversJson } from './cloud-servers-view.js';
import type { CourseServer } from '../openstack/servers.js';
import { renderServerHealth, serverHealth } from './server-health.js';
import { askCloud, courseCloudName, openstackApi, type CourseCloudApi } from './course-cloud.js';
import { courseSpendOf, renderSpend } from '../course/spend.js';
import type { SubnetHolder } from '../openstack/subnet-holders.js';
import { TargetError, type CommandOptions, type TargetDriver } from './driver.js';
import { renderLeakCheck, runLeakCheck, type LeakCheckResult } from './leak-check.js';

export const DEFAULT_OUT_DIR = 'cdktf.out';

/** How long a command waits for a terraform that a killed run left working on a stack. */
const EARLIER_RUN_WAIT_MS = 30 * 60_000;

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
  /** How terraform finds its provider and credentials. Default: from the course and environment. */
  terraformEnv?: (course: Course) => TerraformCliSettings;
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
  /** Environment for terraform (provider mirror, clouds.yaml). */
  env: Record<string, string>;
  options: CommandOptions;
  cloud: CourseCloudApi;
  /** The course's servers as the cloud lists them, asked once per `status` (a TargetError when it cannot be asked). */
  courseServers: () => Promise<CourseServer[]>;
}

export type StatusSource = (ctx: StatusContext) => Promise<StatusSection>;

/** What `status` shows: what Terraform recorded, what the cloud reports, how the servers are. */
export const STATUS_SOURCES: StatusSource[] = [learnerOutputs, cloudServers, cloudHealth, courseCost];

/** `down --json`: terraform's report, then the leak check (or why it did not run). */
export type DownReport = RunReport & {
  leakCheck: LeakCheckResult | { cloud: string; course: string; error: string; hint?: string; clean: false } | { skipped: string; clean: false };
  /** A full down of a course that had Prometheus' discovery credential: what became of it. */
  discoveryCredential?: { deleted: string } | { error: string; hint?: string };
  /** A full down of a course with learner accounts: what became of them. */
  learnerAccounts?: { deleted: string } | { error: string; hint?: string };
};

/**
 * Project-per-learner: each learner's stack runs with that learner's own credential (their
 * clouds.yaml from `accounts create`), so their servers are made in, and only in, their project.
 * Without the file it cannot: said before anything runs. (A destroy without it would need the
 * instructor's credential, which cannot delete the learner's keypair: it is said, not guessed.)
 */
function learnerCredentialEnv(course: Course, stacks: readonly SynthesizedStack[], log: (line: string) => void): RunnerOptions['stackEnv'] {
  if (course.accounts.mode !== 'project-per-learner') return undefined;
  const files = new Map<string, string>();
  // A learner on their own machine has their file where their sheet put it, named by the environment.
  const fromEnvironment = cloudsFilesEnv(ACCOUNT_NAMES.cloud(course)).OS_CLIENT_CONFIG_FILE;
  for (const stack of stacks) {
    if (stack.kind !== 'learner' || !stack.learnerId) continue;
    const own = accountFile(course, { id: stack.learnerId });
    const file = existsSync(own) ? own : fromEnvironment;
    if (file === undefined) {
      throw new TargetError(
        `${course.file}: accounts.mode project-per-learner runs ${stack.name} with learner ${stack.learnerId}'s own credential, and neither ${own} exists nor does OS_CLIENT_CONFIG_FILE name a clouds.yaml with the entry ${ACCOUNT_NAMES.cloud(course)}`,
        `make the learners' accounts first: \`resops accounts create ${course.file}\``,
      );
    }
    files.set(stack.name, file);
  }
  if (files.size) log(`learners' stacks run with each learner's own credential (${[...files.values()].map((f) => basename(f)).join(', ')})`);
  return (stack) => {
    const file = files.get(stack.name);
    return file ? { OS_CLIENT_CONFIG_FILE: file } : undefined;
  };
}

/** Project-per-learner, and the credential in use is the learner's account (OS_CLOUD names it). */
function actingAsLearner(course: Course): boolean {
  return course.accounts.mode === 'project-per-learner' && effectiveCloudName(course.cloud.name) === ACCOUNT_NAMES.cloud(course);
}

function withLearnerCredentials<T extends Omit<RunnerOptions, 'signal'>>(runner: T, course: Course, stacks: readonly SynthesizedStack[], log: (line: string) => void): T {
  const stackEnv = learnerCredentialEnv(course, stacks, log);
  return stackEnv ? { ...runner, stackEnv } : runner;
}

export function createOpenstackDriver(deps: OpenstackDriverDeps = {}): TargetDriver {
  const synth = deps.synth ?? synthCourse;
  const resolve = deps.resolve ?? ((name) => resolveBinary(name));
  const out = deps.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const progress =
    deps.progress ??
    ((line: string, json: boolean) => (json ? process.stderr : process.stdout).write(`${line}\n`));
  const steps = deps.steps ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cloud = deps.cloud ?? openstackApi;

  const terraformEnv = deps.terraformEnv ?? terraformEnvironment;

  const prepare = (course: Course, options: CommandOptions) => {
    // The binary and the provider's source are checked before synthesizing so that a missing
    // terraform or an empty mirror fails in milliseconds.
    const binary = resolve(options.tofu ? 'tofu' : 'terraform');
    const cli = terraformEnv(course);
    const outDir = options.outDir ?? DEFAULT_OUT_DIR;
    const log = (line: string) => progress(line, options.json);
    if (cli.description) log(cli.description);
    log(`synthesizing ${course.id} into ${outDir} …`);
    const result = synth(course, outDir);
    log(`✔ synthesized ${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'}`);
    const selection = selectStacks(course, result, options);
    // What every terraform run of this command shares; each adds its interrupt signal.
    const runner: Omit<RunnerOptions, 'signal'> = { binary, log, env: cli.env, ...(options.concurrency ? { concurrency: options.concurrency } : {}) };
    return { binary, synth: result, log, env: cli.env, runner, ...selection };
  };

  /** Destroys `stacks` and forgets the configuration of each one that is gone. */
  const destroyStacks = async (course: Course, synthResult: SynthResult, stacks: SynthesizedStack[], runner: RunnerOptions) => {
    protectTerraformState(course);
    const report = await runStacks(subset(synthResult, stacks), 'destroy', { ...runner, nothingToDo: (stack) => nothingToDestroy(stack.dir) });
    protectTerraformState(course);
    for (const outcome of report.outcomes) if (outcome.status === 'ok') forgetAppliedConfig(course, outcome.stack);
    return report;
  };

  /** Applies (or plans) the selected stacks: orphans named or pruned, quota checked, one learner rebuilt. */
  const run = async (action: 'plan' | 'apply', course: Course, options: CommandOptions): Promise<number> => {
    const { synth: result, log, runner: instructors, selected: chosen, orphans } = prepare(course, options);
    const shared = action === 'apply' && options.learner ? neverAppliedDependencies(result, chosen) : [];
    if (shared.length && actingAsLearner(course)) {
      throw new TargetError(
        `${shared.map((s) => s.name).join(', ')} ${shared.length === 1 ? 'was' : 'were'} never applied, and ${shared.length === 1 ? 'it is' : 'they are'} the instructor's to make: with accounts.mode project-per-learner, a learner's credential works in their own project only`,
        `ask your instructor to run \`resops up ${course.file} --target openstack\` first`,
      );
    }
    const selected = [...shared, ...chosen];
    const runner = withLearnerCredentials(instructors, course, [...selected, ...orphans.flatMap((o) => (o.stack ? [o.stack] : []))], log);
    const command = commandLine(action === 'plan' ? 'plan' : 'up', course, options);
    const destroyed: RunReport[] = [];
    let quota: QuotaGateResult | undefined;
    const report = await withInterrupt(log, async (signal) => {
      if (action === 'apply') {
        if (shared.length) log(`${shared.map((s) => s.name).join(', ')} ${shared.length === 1 ? 'was' : 'were'} never applied: applying ${shared.length === 1 ? 'it' : 'them'} first (once made, \`--learner\` leaves ${shared.length === 1 ? 'it' : 'them'} alone)`);
        if (options.prune && orphans.length > 0) {
          log(`pruning ${orphans.length} stack${orphans.length === 1 ? '' : 's'} the course file no longer has …`);
          for (const o of orphans) if (!o.stack) log(`✖ ${o.name}: no saved configuration to destroy it with; \`${commandLine('down', course, { ...options, learner: undefined })} --sweep\` deletes what the cloud still has`);
          destroyed.push(await destroyStacks(course, result, orphans.flatMap((o) => (o.stack ? [o.stack] : [])), { ...runner, signal }));
        }
        // A terraform left running by a killed run is still creating: its stack counts as new
        // until it has finished and saved its state, and the quota would count it twice.
        for (const stack of selected) {
          const held = await waitForEarlierRun(stack.dir, { log: (line) => log(`… ${stack.name}: ${line}`), waitMs: EARLIER_RUN_WAIT_MS });
          if (held) throw new TargetError(held);
        }
        if (!options.force) {
          const fresh = selected.filter((s) => inspectStackState(s.dir).kind !== 'resources').map((s) => s.name);
          quota = await checkQuotaFor(course, courseCloudName(course), fresh, cloud);
          if (quota.checked && quota.comparison.exceeded.length > 0) throw quotaExceededError(quota, command);
          log(quota.checked ? `✔ quota of cloud "${quota.comparison.cloud}" allows the ${quota.stacks.length} new stack${quota.stacks.length === 1 ? '' : 's'}` : `quota not checked: ${quota.reason}`);
        }
        if (options.rebuild) {
          log(`rebuilding ${chosen.map((s) => s.name).join(', ')}: destroy, then apply`);
          const gone = await destroyStacks(course, result, chosen, { ...runner, signal });
          destroyed.push(gone);
          if (!gone.ok) return gone;
        }
        for (const stack of selected) saveAppliedConfig(course, stack);
      }
      protectTerraformState(course);
      const applied = await runStacks(subset(result, selected), action, { ...runner, signal });
      protectTerraformState(course);
      return applied;
    });
    const remaining = options.prune && action === 'apply' ? findOrphanStacks(course, result.stacks) : orphans;
    if (options.json) {
      out(JSON.stringify({ ...report, ...(destroyed.length ? { destroyed } : {}), ...(quota ? { quota } : {}), orphans: remaining.map(orphanJson) }, null, 2));
    } else {
      for (const before of destroyed) {
        out('');
        for (const line of renderRunSummary(before)) out(line);
      }
      out('');
      for (const line of renderRunSummary(report)) out(line);
      if (report.outcomes.some((o) => o.failedStep === 'init')) out(`hint: ${INIT_HINT}`);
      for (const line of renderOrphans(remaining, course, options)) out(line);
    }
    return report.ok && destroyed.every((d) => d.ok) ? 0 : 1;
  };

  /** Destroy every stack (those never applied are skipped: terraform cannot even init offline), then the leak check. */
  const down = async (course: Course, options: CommandOptions): Promise<number> => {
    const { synth: result, log, runner: instructors, selected, orphans } = prepare(course, options);
    const runner = withLearnerCredentials(instructors, course, [...selected, ...orphans.flatMap((o) => (o.stack ? [orphanStack(o, result)] : []))], log);
    await clearSubnets(course, options, log);
    let interrupted = false;
    const report = await withInterrupt(log, async (signal) => {
      const stacks = [...selected, ...orphans.flatMap((o) => (o.stack ? [orphanStack(o, result)] : []))];
      const destroyed = await destroyStacks(course, result, stacks, { ...runner, signal });
      interrupted = signal.aborted;
      return destroyed;
    });
    const unsaved = orphans.filter((o) => !o.stack);

    const cloudName = courseCloudName(course);
    // Before the leak check, which covers Keystone too: what is left after these is a leak.
    const discoveryCredential = interrupted || options.learner ? undefined : await dropDiscoveryCredential(course, cloudName);
    const learnerAccounts = interrupted || options.learner ? undefined : await dropLearnerAccounts(course, cloudName);
    let leakCheck: DownReport['leakCheck'];
    let cloudFailure: TargetError | undefined;
    if (interrupted) {
      leakCheck = { skipped: 'interrupted: the leak check did not run', clean: false };
    } else {
      log(`checking cloud "${cloudName}" for leftovers of ${options.learner ? `learner ${options.learner} of ` : ''}${course.id} …`);
      try {
        leakCheck = await runLeakCheck(cloud, {
          cloud: cloudName,
          ...(course.cloud.region ? { region: course.cloud.region } : {}),
          courseId: course.id,
          ...(options.learner ? { learnerId: options.learner } : {}),
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
      const full: DownReport = { ...report, leakCheck, ...(discoveryCredential ? { discoveryCredential } : {}), ...(learnerAccounts ? { learnerAccounts } : {}) };
      out(JSON.stringify(full, null, 2));
    } else {
      out('');
      for (const line of renderRunSummary(report)) out(line);
      if (report.outcomes.some((o) => o.failedStep === 'init')) out(`hint: ${INIT_HINT}`);
      for (const o of unsaved) out(`✖ ${o.name}: ${o.resources} resource${o.resources === 1 ? '' : 's'} in its state, but no saved configuration to destroy it with (applied by an older resops); the leak check below lists them and --sweep deletes them`);
      out('');
      if ('before' in leakCheck) for (const line of renderLeakCheck(leakCheck, sweepCommand(course, options))) out(line);
      else if ('skipped' in leakCheck) out(`leak check: ${leakCheck.skipped}`);
      if (discoveryCredential && 'deleted' in discoveryCredential) out(`✔ ${discoveryCredential.deleted}`);
      if (discoveryCredential && 'error' in discoveryCredential) out(`✖ ${discoveryCredential.error}${discoveryCredential.hint ? `\nhint: ${discoveryCredential.hint}` : ''}`);
      if (learnerAccounts && 'deleted' in learnerAccounts) out(`✔ ${learnerAccounts.deleted}`);
      if (learnerAccounts && 'error' in learnerAccounts) out(`✖ ${learnerAccounts.error}${learnerAccounts.hint ? `\nhint: ${learnerAccounts.hint}` : ''}`);
    }
    // After the report is out, so the CLI prints the cloud's failure and its hint last.
    if (cloudFailure) throw cloudFailure;
    return report.ok && leakCheck.clean && !(discoveryCredential && 'error' in discoveryCredential) && !(learnerAccounts && 'error' in learnerAccounts) ? 0 : 1;
  };

  /**
   * The course's discovery credential ends with the course (a learner's down leaves it): it can
   * still list the project's servers, and nothing in the project labels it for the leak check.
   */
  const dropDiscoveryCredential = async (course: Course, cloudName: string): Promise<DownReport['discoveryCredential']> => {
    if (!cloud.deleteDiscoveryCredential) return undefined;
    try {
      const deleted = await askCloud(cloudName, 'deleting Prometheus\' discovery credential', async () =>
        cloud.deleteDiscoveryCredential!(await cloud.connect(cloudName, course.cloud.region), course),
      );
      return deleted === undefined ? undefined : { deleted };
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      return { error: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    }
  };

  /** The learners' accounts (`resops accounts`) end with the course, as the discovery credential does. */
  const dropLearnerAccounts = async (course: Course, cloudName: string): Promise<DownReport['learnerAccounts']> => {
    if (!cloud.deleteLearnerAccounts) return undefined;
    try {
      const deleted = await askCloud(cloudName, 'deleting the learners\' accounts', async () => cloud.deleteLearnerAccounts!(await cloud.connect(cloudName, course.cloud.region), course));
      return deleted === undefined ? undefined : { deleted };
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      return { error: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    }
  };

  /**
   * Servers that no stack of the course made but that sit on its subnets (a learner's own stack,
   * a server made by hand) would keep Terraform retrying a subnet's deletion for ten minutes:
   * refused before anything is destroyed, or, with --sweep, deleted first when they carry the
   * course's name prefix (the leak check's own rule for what belongs to the course).
   */
  const clearSubnets = async (course: Course, options: CommandOptions, log: (line: string) => void): Promise<void> => {
    if (!cloud.subnetHolders) return;
    const cloudName = courseCloudName(course);
    let client: Awaited<ReturnType<CourseCloudApi['connect']>>;
    let holders: SubnetHolder[];
    try {
      client = await askCloud(cloudName, 'connecting', () => cloud.connect(cloudName, course.cloud.region));
      holders = await askCloud(cloudName, 'listing the servers on the course\'s subnets', () => cloud.subnetHolders!(client, course.id, options.learner));
    } catch (error) {
      // Terraform's destroy still runs and reports; the leak check after it says what the cloud could not.
      if (!(error instanceof TargetError)) throw error;
      log(`could not look for servers on the course's subnets (${error.message}): destroying anyway`);
      return;
    }
    if (!holders.length) return;
    const ours = holders.filter((h) => h.name.startsWith(`${course.id}-`));
    const shown = holders.map((h) => `${h.name} (${h.id}, on ${h.subnets.join(', ')})`).join('; ');
    if (options.sweep && ours.length === holders.length && cloud.deleteSubnetHolders) {
      log(`deleting ${holders.length} server${holders.length === 1 ? '' : 's'} on the course's subnets that no stack of it made (--sweep): ${shown}`);
      await askCloud(cloudName, 'deleting the servers on the course\'s subnets', () => cloud.deleteSubnetHolders!(client, holders));
      return;
    }
    throw new TargetError(
      `${shown}: no stack of course ${course.id} made ${holders.length === 1 ? 'this server' : 'these servers'}, and Neutron cannot delete a subnet while ${holders.length === 1 ? 'it is' : 'they are'} on it (Terraform would retry for ten minutes); nothing was destroyed`,
      `destroy what made ${holders.length === 1 ? 'it' : 'them'} first (a learner's own stack of exercise 01: \`terraform destroy\` in its cdktf.out/stacks/web)${ours.length === holders.length ? `, or add --sweep to delete ${holders.length === 1 ? 'it' : 'them'}` : ''}`,
    );
  };

  return {
    plan: (course, options) => run('plan', course, options),
    up: (course, options) => run('apply', course, options),
    down,
    status: async (course, options) => {
      const { binary, synth: result, env } = prepare(course, options);
      const sections: StatusSection[] = [];
      // One connection and one listing for every section that shows the servers.
      let listed: Promise<CourseServer[]> | undefined;
      const cloudName = courseCloudName(course);
      const courseServers = () =>
        (listed ??= (async () => {
          const client = await askCloud(cloudName, 'connecting', () => cloud.connect(cloudName, course.cloud.region));
          return askCloud(cloudName, 'listing the course\'s servers', () => cloud.listCourseServers(client, course.id));
        })());
      for (const source of STATUS_SOURCES) sections.push(await source({ course, synth: result, binary, env, options, cloud, courseServers }));
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
 * First Ctrl-C: start nothing new and pass one SIGINT to each running terraform, which then stops
 * after the resources it is working on and saves its state (terraform runs in a process group of
 * its own, so the terminal's Ctrl-C reaches it only this way). Second Ctrl-C: exit at once;
 * terraform still finishes its graceful stop on its own, and the next run waits for it.
 */
async function withInterrupt<T>(log: (line: string) => void, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    log('interrupted: running terraform steps stop after what they are doing and save their state (Ctrl-C again to quit now)');
    controller.abort();
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
    outputs: await stackOutputs(ctx.binary, stack.dir, ctx.env),
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
async function stackOutputs(binary: string, dir: string, env: Record<string, string>): Promise<StackOutputs & { notDeployed?: boolean }> {
  if (inspectStackState(dir).kind === 'absent') return { values: {}, notDeployed: true };
  return readStackOutputs(binary, dir, env);
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
    const servers = await ctx.courseServers();
    const groups = groupServersByLearner(servers, course.learners.map((l) => l.id), options.learner);
    return { title, ok: true, lines: renderServersByOwner(groups), json: serversJson(cloudName, groups) };
  } catch (error) {
    return failedSection(title, error, { cloud: cloudName });
  }
}

/**
 * Each server's health, as the local target shows its containers': SSH on the floating IP, and
 * `up` of its node-exporter in the monitoring host's Prometheus. Unhealthy servers make `status`
 * exit 1, as on the local target.
 */
async function cloudHealth(ctx: StatusContext): Promise<StatusSection> {
  const { course, options } = ctx;
  const cloudName = courseCloudName(course);
  const title = `server health (SSH on floating IPs, node-exporters scraped by the monitoring host's Prometheus)`;
  try {
    const servers = await ctx.courseServers();
    const report = await serverHealth(servers, { monitoringEnabled: course.monitoring?.enabled ?? false, ...(options.learner === undefined ? {} : { learner: options.learner }) }, ctx.cloud.healthProbes(cloudName, existingAdminLogin(course)));
    return { title, ok: report.ok, lines: renderServerHealth(report), json: report };
  } catch (error) {
    return failedSection(title, error);
  }
}

/**
 * What the course has cost so far and will by its end, against its budget. A budget nearly used
 * is a warning, not a failure: `status` exits 0 for it, since nothing is broken.
 */
async function courseCost(ctx: StatusContext): Promise<StatusSection> {
  const { course } = ctx;
  const prices = course.cloud.prices;
  const title = `cost (the course's running servers, volumes and floating IPs since the cloud made them, × cloud.prices)`;
  if (!prices) return { title, ok: true, lines: ['no cloud.prices in the course file: no cost shown'], json: { prices: null } };
  if (!ctx.cloud.spendItems) return { title, ok: true, lines: ['this cloud connection does not list what the course runs: no cost shown'], json: { prices: null } };
  const cloudName = courseCloudName(course);
  try {
    const cloud = await askCloud(cloudName, 'connecting for the cost', () => ctx.cloud.connect(cloudName, course.cloud.region));
    const items = await askCloud(cloudName, `listing what ${course.id} runs, for the cost`, () => ctx.cloud.spendItems!(cloud, course));
    const spend = courseSpendOf(course, items, prices);
    return { title, ok: true, lines: renderSpend(spend), json: spend };
  } catch (error) {
    return failedSection(title, error);
  }
}

/** A section that says what could not be asked (a TargetError); anything else is a bug and goes on. */
function failedSection(title: string, error: unknown, json: Record<string, unknown> = {}): StatusSection {
  if (!(error instanceof TargetError)) throw error;
  const hint = error.hint ? { hint: error.hint } : {};
  return { title, ok: false, lines: [`✖ ${error.message}`, ...(error.hint ? [`hint: ${error.hint}`] : [])], json: { ...json, error: error.message, ...hint } };
}

/** The command that sweeps what the leak check found, as the user would type it. */
function sweepCommand(course: Course, options: CommandOptions): string {
  return `${commandLine('down', course, options)} --sweep`;
}

/** `resops <command> FILE` with the flags that choose the same stacks, as the user would type it. */
function commandLine(command: string, course: Course, options: CommandOptions): string {
  const flags = [
    '--target openstack',
    ...(options.outDir ? [`--out ${options.outDir}`] : []),
    ...(options.tofu ? ['--tofu'] : []),
    ...(options.learner ? [`--learner ${options.learner}`] : []),
  ];
  return `resops ${command} ${course.file} ${flags.join(' ')}`;
}

/**
 * The stacks a command works on: all of the course's, or with --learner that learner's alone
 * (in the course file, or left over from it: `down --learner` of a removed learner); and the
 * stacks of this course that the course file no longer has.
 */
export function selectStacks(course: Course, synth: SynthResult, options: CommandOptions): { selected: SynthesizedStack[]; orphans: OrphanStack[] } {
  const all = findOrphanStacks(course, synth.stacks);
  if (options.rebuild && !options.learner) throw new TargetError('--rebuild needs --learner ID: it rebuilds one learner\'s environment', undefined, 2);
  if (!options.learner) return { selected: synth.stacks, orphans: all };
  const id = options.learner;
  const own = synth.stacks.find((s) => s.kind === 'learner' && s.learnerId === id);
  if (own) return { selected: [own], orphans: [] };
  const orphan = all.find((o) => o.learnerId === id);
  if (orphan) return { selected: [], orphans: [orphan] };
  const known = course.learners.map((l) => l.id).join(', ');
  throw new TargetError(`learner "${id}" is not in ${course.file} and has no stack left in its state`, `learners of the course: ${known}`, 2);
}

/**
 * The stacks one learner's apply needs that were never applied (the course network): made first,
 * as the local target makes the shared parts; once they exist `--learner` never touches them.
 */
function neverAppliedDependencies(synth: SynthResult, selected: SynthesizedStack[]): SynthesizedStack[] {
  const chosen = new Set(selected.map((s) => s.name));
  const needed = new Set(selected.flatMap((s) => s.dependsOn).filter((name) => !chosen.has(name)));
  return synth.stacks.filter((s) => needed.has(s.name) && inspectStackState(s.dir).kind === 'absent');
}

/** The synth result restricted to `stacks`, dependencies outside it taken as already done. */
function subset(synth: SynthResult, stacks: SynthesizedStack[]): SynthResult {
  const names = new Set(stacks.map((s) => s.name));
  return { outDir: synth.outDir, stacks: stacks.map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => names.has(d)) })) };
}

/** An orphan stack to destroy together with the course: it reads the network's outputs, so it goes before the network. */
function orphanStack(orphan: OrphanStack, synth: SynthResult): SynthesizedStack {
  const network = synth.stacks.find((s) => s.kind === 'network');
  return { ...orphan.stack!, dependsOn: network ? [network.name] : [] };
}

function orphanJson(orphan: OrphanStack) {
  return { stack: orphan.name, ...(orphan.learnerId ? { learner: orphan.learnerId } : {}), resources: orphan.resources, stateFile: orphan.stateFile, configSaved: orphan.stack !== undefined };
}

/** What `up` and `plan` say of stacks the course file no longer has: left alone, and how to remove them. */
function renderOrphans(orphans: OrphanStack[], course: Course, options: CommandOptions): string[] {
  if (orphans.length === 0) return [];
  const lines = ['', `${orphans.length} stack${orphans.length === 1 ? '' : 's'} of ${course.id} no longer in ${course.file}, left alone:`];
  for (const o of orphans) {
    const what = o.learnerId ? `learner ${o.learnerId} is not in the course file` : `the course file no longer has its ${o.kind}`;
    lines.push(`  ${o.name}: ${what}; its state still holds ${o.resources} resource${o.resources === 1 ? '' : 's'}`);
  }
  const base = commandLine('up', course, { ...options, learner: undefined });
  lines.push(`hint: \`${base} --prune\` destroys them${orphans.some((o) => o.learnerId) ? `, or \`resops down ${course.file} --target openstack --learner ID\` one learner's` : ''}`);
  return lines;
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
