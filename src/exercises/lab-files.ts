/**
 * What the lab reads from files rather than from machines: the Terraform JSON a learner's CDKTF
 * app synthesized, and the pipeline's run reports and scaling results in the state directory.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineResult } from '../pipeline/run.js';
import type { ScaleResult } from '../pipeline/scale.js';
import type { PipelineRunSummary } from './lab.js';

/** When a run started, from its id (newRunId: `run-YYYYMMDD-HHMMSS-xxxxxx`, UTC); undefined for other names. */
export function runStartedAt(run: string): Date | undefined {
  const m = /^run-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-[0-9a-f]+$/.exec(run);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

/** The synthesized Terraform JSON of every stack under `dir` (a CDKTF app's cdktf.out), by stack name. */
export function synthesizedStacks(dir: string): Record<string, Record<string, unknown>> {
  const stacks = join(dir, 'cdktf.out', 'stacks');
  if (!existsSync(stacks)) return {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of readdirSync(stacks)) {
    const file = join(stacks, name, 'cdk.tf.json');
    if (existsSync(file)) out[name] = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  }
  return out;
}

/** A run or experiment counts for `learner` when it is theirs or nobody's: another learner's work never passes a check. */
function counts(owner: string | undefined, learner: string | undefined): boolean {
  return learner === undefined || owner === undefined || owner === learner;
}

/**
 * Pipeline runs started since `since` (of `learner`, when given), oldest first. A run's
 * start is in its id (`run-YYYYMMDD-HHMMSS-…`), not in its file's date: a report copied into a
 * new folder, or touched, is still the old run, and a folder whose name is not its report's run
 * is not a run at all.
 */
export function pipelineRunsIn(stateDir: string, since: Date, learner?: string): PipelineRunSummary[] {
  const dir = join(stateDir, 'pipeline');
  if (!existsSync(dir)) return [];
  // Run ids have whole seconds: a run started in the step's first second counts.
  const from = Math.floor(since.getTime() / 1000) * 1000;
  const runs: PipelineRunSummary[] = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'report.json');
    const startedAt = runStartedAt(name);
    if (!startedAt || startedAt.getTime() < from || !existsSync(file)) continue;
    try {
      const report = JSON.parse(readFileSync(file, 'utf8')) as Omit<PipelineResult, 'vcf'>;
      if (report.run !== name || !counts(report.learner, learner)) continue;
      runs.push({ ...report, reportFile: file, startedAt, finishedAt: statSync(file).mtime });
    } catch {
      // A report being written right now: the next check reads it.
    }
  }
  return runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.run.localeCompare(b.run));
}

/** The latest scaling experiment written since `since` (of `learner`, when given). */
export function scaleResultIn(stateDir: string, since: Date, learner?: string): (ScaleResult & { file: string }) | undefined {
  const file = join(stateDir, 'pipeline', 'scale', 'scaling.json');
  if (!existsSync(file) || statSync(file).mtime < since) return undefined;
  let result: ScaleResult;
  try {
    result = JSON.parse(readFileSync(file, 'utf8')) as ScaleResult;
  } catch {
    return undefined; // being written right now, as a run's report can be: the next look reads it
  }
  return counts(result.learner, learner) ? { ...result, file } : undefined;
}
