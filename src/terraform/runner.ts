/**
 * Runs terraform over the synthesized stacks of a course in dependency order: the network stack,
 * then the learner stacks in parallel (bounded), then monitoring and pipeline; `destroy` in exactly
 * the reverse order. A failed stack does not stop its siblings; stacks that need a failed one are
 * skipped, and the report says which.
 */
import { formatSeconds, formatTable } from '../cli/table.js';
import type { StackKind, SynthesizedStack, SynthResult } from '../synth/synthesize.js';
import { runTerraform } from './process.js';

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
  plan: ['plan', '-input=false'],
  apply: ['apply', '-auto-approve', '-input=false'],
  destroy: ['destroy', '-auto-approve', '-input=false'],
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
    for (const step of ['init', action] as const) {
      if (options.signal?.aborted) return { ...base, status: 'skipped', reason: `interrupted before ${step}` };
      const args = step === 'init' ? ['init', '-input=false'] : [...ACTION_ARGS[step]];
      if (!options.color) args.push('-no-color');
      log(`▶ ${stack.name}: ${step} …`);
      const stepStart = now();
      const result = await runTerraform({
        binary: options.binary,
        cwd: stack.dir,
        args,
        ...(options.env ? { env: options.env } : {}),
        onLine: (line) => log(`[${stack.name}] ${line}`),
      });
      const elapsed = formatSeconds(now() - stepStart);
      if (result.code !== 0) {
        const why = result.error ?? `exit ${result.code}`;
        log(`✖ ${stack.name}: ${step} failed (${why}) ${elapsed}`);
        return {
          ...base,
          status: 'failed',
          failedStep: step,
          exitCode: result.code,
          ms: now() - t0,
          reason: `${step} failed (${why})`,
        };
      }
      log(`✔ ${stack.name}: ${step} ${elapsed}`);
    }
    return { ...base, status: 'ok', ms: now() - t0 };
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

export function renderRunSummary(report: RunReport): string[] {
  const rows = report.outcomes.map((o) => [o.stack, o.status, o.ms === undefined ? '' : formatSeconds(o.ms), o.reason ?? '']);
  const counts = (status: StackStatus) => report.outcomes.filter((o) => o.status === status).length;
  return [
    ...formatTable(['stack', 'result', 'time', 'detail'], rows, ['left', 'left', 'right', 'left']),
    `${report.action}: ${counts('ok')} ok, ${counts('failed')} failed, ${counts('skipped')} skipped in ${formatSeconds(report.ms)}`,
  ];
}
