/**
 * Runs terraform over the synthesized stacks of a course in dependency order: the network stack,
 * then the learner stacks in parallel (bounded), then monitoring and pipeline; `destroy` in exactly
 * the reverse order. A failed stack does not stop its siblings; stacks that need a failed one are
 * skipped, and the report says which.
 */
import { join } from 'node:path';
import { formatSeconds, formatTable } from '../cli/table.js';
import type { StackKind, SynthesizedStack, SynthResult } from '../synth/synthesize.js';
import { runTerraform } from './process.js';
import { parseChanges, stateLockId, terraformError, type StackChanges } from './output-parse.js';
import { holdStack, releaseStack, waitForEarlierRun } from './stack-holder.js';

export type StackAction = 'plan' | 'apply' | 'destroy';
export type StackStep = 'init' | StackAction;

export interface RunnerOptions {
  /** Absolute path (or PATH name) of terraform or tofu; see resolveBinary. */
  binary: string;
  /** Most stacks running at once (default 4). */
  concurrency?: number;
  /** Receives every progress and output line (default: stdout). */
  log?: (line: string) => void;
  /** Extra environment for terraform. */
  env?: Record<string, string>;
  /** More environment for one stack's terraform, over `env` (a learner's own credential). */
  stackEnv?: (stack: SynthesizedStack) => Record<string, string> | undefined;
  /** Keep terraform's colours (default false: prefixed, interleaved output reads better plain). */
  color?: boolean;
  /** Clock, for elapsed times. */
  now?: () => number;
  /**
   * Once aborted, no further stack or step starts; running terraform processes are left to finish
   * (they got the terminal's Ctrl-C themselves, and a second signal would make them quit without
   * saving state). Stacks not started are reported as skipped.
   */
  signal?: AbortSignal;
  /**
   * A reason when a stack needs no terraform run at all (destroy of a stack that has no state):
   * the stack then counts as done, so the stacks it depends on still run after it.
   */
  nothingToDo?: (stack: SynthesizedStack) => string | undefined;
  /** How long to wait for a terraform left running in a stack by an earlier, killed run (default 30 min). */
  earlierRunWaitMs?: number;
}

export type StackStatus = 'ok' | 'failed' | 'skipped';

export interface StackOutcome {
  stack: string;
  kind: StackKind;
  learnerId?: string;
  status: StackStatus;
  /** The step that failed. */
  failedStep?: StackStep;
  exitCode?: number;
  /** Wall time of the stack's steps, ms (absent when skipped). */
  ms?: number;
  /** Why it failed or was skipped. */
  reason?: string;
  /** What terraform reported it changed (plan: would change). */
  changes?: StackChanges;
  /** Terraform's own error, as it printed it, when a step failed. */
  error?: string;
  /** The failed step's full output. */
  log?: string;
  /** What to do about the failure, when the runner knows. */
  hint?: string;
}

export interface RunReport {
  action: StackAction;
  binary: string;
  /** In execution order (phase, then synth order). */
  outcomes: StackOutcome[];
  ok: boolean;
  ms: number;
}

export const DEFAULT_CONCURRENCY = 4;

/** Which stacks come before which, beyond what the stacks declare. */
const PHASE: Record<StackKind, number> = { network: 0, learner: 1, monitoring: 2, pipeline: 2 };

const ACTION_ARGS: Record<StackAction, string[]> = {
  plan: ['plan', '-input=false', '-lock-timeout=60s'],
  apply: ['apply', '-auto-approve', '-input=false', '-lock-timeout=60s'],
  destroy: ['destroy', '-auto-approve', '-input=false', '-lock-timeout=60s'],
};

/** Stacks in the order they start: by phase then synth order; reversed for destroy. */
export function executionOrder(stacks: SynthesizedStack[], action: StackAction): SynthesizedStack[] {
  const ordered = stacks
    .map((stack, index) => ({ stack, index }))
    .sort((a, b) => PHASE[a.stack.kind] - PHASE[b.stack.kind] || a.index - b.index)
    .map((s) => s.stack);
  return action === 'destroy' ? ordered.reverse() : ordered;
}

interface Plan {
  /** Stacks that must have finished (any result) before this one starts. */
  waitsFor: Map<string, Set<string>>;
  /** Stacks that must have succeeded for this one to run at all. */
  needs: Map<string, Set<string>>;
}

/**
 * Forward (plan/apply): a stack waits for its declared dependencies and for every stack of an
 * earlier phase, and needs its declared dependencies to have succeeded. Destroy inverts both:
 * a stack waits for the stacks that depend on it (and later phases), and is skipped when one of
 * its dependents could not be destroyed (its resources would still be in use).
 */
function planRun(stacks: SynthesizedStack[], action: StackAction): Plan {
  const names = new Set(stacks.map((s) => s.name));
  for (const stack of stacks) {
    for (const dep of stack.dependsOn) {
      if (!names.has(dep)) throw new Error(`stack ${stack.name} depends on ${dep}, which was not synthesized`);
    }
  }
  const waitsFor = new Map<string, Set<string>>();
  const needs = new Map<string, Set<string>>();
  for (const stack of stacks) {
    waitsFor.set(stack.name, new Set());
    needs.set(stack.name, new Set());
  }
  const forward = action !== 'destroy';
  for (const stack of stacks) {
    for (const dep of stack.dependsOn) {
      const [before, after] = forward ? [dep, stack.name] : [stack.name, dep];
      waitsFor.get(after)!.add(before);
      needs.get(after)!.add(before);
    }
    for (const other of stacks) {
      const earlier = forward ? PHASE[other.kind] < PHASE[stack.kind] : PHASE[other.kind] > PHASE[stack.kind];
      if (earlier) waitsFor.get(stack.name)!.add(other.name);
    }
  }
  return { waitsFor, needs };
}

export async function runStacks(synth: SynthResult, action: StackAction, options: RunnerOptions): Promise<RunReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const order = executionOrder(synth.stacks, action);
  const plan = planRun(synth.stacks, action);
  const byName = new Map(order.map((s) => [s.name, s]));
  const outcomes = new Map<string, StackOutcome>();
  const started = now();

  const runOne = async (stack: SynthesizedStack): Promise<StackOutcome> => {
    const t0 = now();
    const base = { stack: stack.name, kind: stack.kind, ...(stack.learnerId ? { learnerId: stack.learnerId } : {}) };
    const idle = options.nothingToDo?.(stack);
    if (idle !== undefined) {
      log(`– ${stack.name}: ${idle}`);
      return { ...base, status: 'ok', ms: now() - t0, reason: idle };
    }
    const earlier = await waitForEarlierRun(stack.dir, {
      log: (line) => log(`… ${stack.name}: ${line}`),
      waitMs: options.earlierRunWaitMs ?? 30 * 60_000,
    });
    if (earlier) return { ...base, status: 'failed', failedStep: 'init', ms: now() - t0, reason: earlier };
    let changes: StackChanges | undefined;
    for (const step of ['init', action] as const) {
      if (options.signal?.aborted) return { ...base, status: 'skipped', reason: `interrupted before ${step}` };
      // -reconfigure: the backend is the toolkit's (the course's state file); when it moved (another
      // course file with this id, a new state_dir), nothing of the old one is to be migrated here.
      const args = step === 'init' ? ['init', '-input=false', '-reconfigure'] : [...ACTION_ARGS[step]];
      if (!options.color) args.push('-no-color');
      log(`▶ ${stack.name}: ${step} …`);
      const stepStart = now();
      const logFile = join(stack.dir, `terraform-${step}.log`);
      const result = await runTerraform({
        binary: options.binary,
        cwd: stack.dir,
        args,
        env: { ...options.env, ...options.stackEnv?.(stack) },
        onLine: (line) => log(`[${stack.name}] ${line}`),
        logFile,
        ...(options.signal ? { signal: options.signal } : {}),
        onStart: (pid) => holdStack(stack.dir, pid, step),
      });
      releaseStack(stack.dir);
      const elapsed = formatSeconds(now() - stepStart);
      if (result.code !== 0) {
        const why = result.error ?? `exit ${result.code}`;
        const error = terraformError(result.stdout);
        const hint = lockHint(stack.dir, result.stdout);
        const planned = step === 'init' ? undefined : parseChanges(result.stdout);
        log(`✖ ${stack.name}: ${step} failed (${why}) ${elapsed}`);
        return {
          ...base,
          status: 'failed',
          failedStep: step,
          exitCode: result.code,
          ms: now() - t0,
          reason: `${step} failed (${why})${error ? `: ${error.split('\n')[0]}` : ''}`,
          ...(error ? { error } : {}),
          ...(hint ? { hint } : {}),
          log: logFile,
          ...(planned ? { changes: planned } : {}),
        };
      }
      if (step !== 'init') changes = parseChanges(result.stdout);
      log(`✔ ${stack.name}: ${step} ${elapsed}${changes ? ` (${describeChanges(changes)})` : ''}`);
    }
    return { ...base, status: 'ok', ms: now() - t0, ...(changes ? { changes } : {}) };
  };

  await new Promise<void>((resolveAll) => {
    const pending = new Set(order.map((s) => s.name));
    let running = 0;
    const finish = (outcome: StackOutcome) => {
      outcomes.set(outcome.stack, outcome);
    };
    const pump = () => {
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const name of pending) {
          const waits = plan.waitsFor.get(name)!;
          if (![...waits].every((w) => outcomes.has(w))) continue;
          const stack = byName.get(name)!;
          if (options.signal?.aborted) {
            pending.delete(name);
            finish({ stack: name, kind: stack.kind, ...(stack.learnerId ? { learnerId: stack.learnerId } : {}), status: 'skipped', reason: 'interrupted' });
            progressed = true;
            continue;
          }
          const blocker = [...plan.needs.get(name)!].find((n) => outcomes.get(n)!.status !== 'ok');
          if (blocker) {
            const reason = skipReason(action, blocker, outcomes.get(blocker)!.status);
            log(`– ${name}: skipped (${reason})`);
            pending.delete(name);
            finish({ stack: name, kind: stack.kind, ...(stack.learnerId ? { learnerId: stack.learnerId } : {}), status: 'skipped', reason });
            progressed = true;
            continue;
          }
          if (running >= concurrency) continue;
          pending.delete(name);
          running++;
          runOne(stack)
            .catch((error: unknown): StackOutcome => ({
              stack: name,
              kind: stack.kind,
              status: 'failed',
              reason: error instanceof Error ? error.message : String(error),
            }))
            .then((outcome) => {
              running--;
              finish(outcome);
              pump();
            });
        }
      }
      if (running > 0) return;
      if (pending.size > 0) {
        // Nothing runs and nothing can start: the declared dependencies form a cycle.
        for (const name of pending) {
          const stack = byName.get(name)!;
          finish({ stack: name, kind: stack.kind, status: 'failed', reason: 'dependency cycle between stacks' });
        }
        pending.clear();
      }
      resolveAll();
    };
    pump();
  });

  const ordered = order.map((s) => outcomes.get(s.name)!);
  return {
    action,
    binary: options.binary,
    outcomes: ordered,
    ok: ordered.every((o) => o.status === 'ok'),
    ms: now() - started,
  };
}

function skipReason(action: StackAction, blocker: string, status: StackStatus): string {
  const what = status === 'failed' ? 'failed' : 'was skipped';
  return action === 'destroy'
    ? `${blocker} depends on it and its destroy ${what}`
    : `needs ${blocker}, which ${what}`;
}

export function describeChanges(changes: StackChanges): string {
  if (changes.add + changes.change + changes.destroy === 0) return 'no changes';
  const parts: string[] = [];
  if (changes.add) parts.push(`${changes.add} to add`);
  if (changes.change) parts.push(`${changes.change} to change`);
  if (changes.destroy) parts.push(`${changes.destroy} to destroy`);
  return parts.join(', ');
}

/** Stacks whose step changed (or would change) something; undefined when terraform did not say. */
export function changedStacks(report: RunReport): string[] | undefined {
  if (report.outcomes.some((o) => o.status === 'ok' && o.changes === undefined && o.reason === undefined)) return undefined;
  return report.outcomes.filter((o) => o.changes && o.changes.add + o.changes.change + o.changes.destroy > 0).map((o) => o.stack);
}

export function renderRunSummary(report: RunReport): string[] {
  const done = report.action === 'plan' ? describeChanges : describeDone;
  const rows = report.outcomes.map((o) => [
    o.stack,
    o.status,
    o.ms === undefined ? '' : formatSeconds(o.ms),
    o.changes ? done(o.changes) : '',
    o.reason ?? '',
  ]);
  const counts = (status: StackStatus) => report.outcomes.filter((o) => o.status === status).length;
  const lines = [
    ...formatTable(['stack', 'result', 'time', 'changes', 'detail'], rows, ['left', 'left', 'right', 'left', 'left']),
    `${report.action}: ${counts('ok')} ok, ${counts('failed')} failed, ${counts('skipped')} skipped in ${formatSeconds(report.ms)}`,
  ];
  const changed = changedStacks(report);
  if (report.ok && changed?.length === 0 && report.outcomes.length > 0) {
    lines.push(
      report.action === 'destroy'
        ? 'nothing was destroyed: no stack held resources'
        : `no changes: every stack matches the configuration${report.action === 'plan' ? '' : ', nothing was touched'}`,
    );
  }
  for (const o of report.outcomes) {
    if (!o.error) continue;
    lines.push('', `${o.stack}: terraform ${o.failedStep} said:`, ...o.error.split('\n').map((l) => `  ${l}`));
    if (o.log) lines.push(`  (full output: ${o.log})`);
    if (o.hint) lines.push(`  hint: ${o.hint}`);
  }
  return lines;
}

/** A state lock outlives a terraform killed outright only on remote backends; say how to clear it. */
function lockHint(dir: string, output: string): string | undefined {
  const id = stateLockId(output);
  if (id === undefined) return undefined;
  return `another terraform holds this stack's state lock; if none is running any more, clear it with \`terraform -chdir=${dir} force-unlock -force ${id}\``;
}

function describeDone(changes: StackChanges): string {
  if (changes.add + changes.change + changes.destroy === 0) return 'no changes';
  const parts: string[] = [];
  if (changes.add) parts.push(`${changes.add} added`);
  if (changes.change) parts.push(`${changes.change} changed`);
  if (changes.destroy) parts.push(`${changes.destroy} destroyed`);
  return parts.join(', ');
}
