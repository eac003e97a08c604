/**
 * Reading Snakemake 7's log as it is written (cluster mode): which job is which rule and
 * wildcards, its Slurm job id once submitted, when it finished, the step count and errors. Pure:
 * the engine (slurm-engine.ts) feeds it lines with the time it saw them.
 *
 * The lines it relies on (snakemake/executors/__init__.py and dag.py of 7.21):
 *   rule align:                                     (indented inside a group job)
 *   localrule gather:                               (run by Snakemake itself, on the head)
 *       jobid: 7
 *       wildcards: shard=003
 *   group job shard (jobs in lexicogr. order):
 *   Submitted job 7 with external jobid '12'.
 *   Submitted group job 0b5d… with external jobid '12'.
 *   Finished job 7.
 *   5 of 20 steps (25%) done
 *   Error in rule align:
 */

export interface SnakemakeJob {
  jobid: number;
  rule: string;
  wildcards: Record<string, string>;
  /** Slurm's job id (a group's jobs share one); none for a `localrules` job, run on the head. */
  slurmJob?: string;
  local?: boolean;
  /** Milliseconds (the caller's clock) when submitted and when Snakemake saw it finish. */
  submittedMs?: number;
  finishedMs?: number;
}

export type LogEvent =
  /** `slurmJob` is empty for a local job (started on the head). */
  | { type: 'submitted'; slurmJob: string; jobs: SnakemakeJob[] }
  | { type: 'finished'; job: SnakemakeJob }
  | { type: 'steps'; done: number; total: number }
  | { type: 'error'; rule: string };

export class SnakemakeLog {
  readonly jobs = new Map<number, SnakemakeJob>();
  /** Jobs described since the last submission: what the next `Submitted` line is about. */
  private pending: SnakemakeJob[] = [];
  private current: SnakemakeJob | undefined;
  readonly errors: string[] = [];

  /** One line of Snakemake's output, seen at `atMs`; the events it means. */
  line(text: string, atMs: number): LogEvent[] {
    const line = text.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(local)?rule (\w+):$/.exec(line))) {
      this.current = { jobid: -1, rule: m[2]!, wildcards: {}, ...(m[1] ? { local: true } : {}) };
      return [];
    }
    if (this.current && (m = /^jobid: (\d+)$/.exec(line))) {
      this.current.jobid = Number(m[1]);
      this.jobs.set(this.current.jobid, this.current);
      // A local job starts as soon as it is described; nothing is submitted.
      if (this.current.local) {
        this.current.submittedMs = atMs;
        return [{ type: 'submitted', slurmJob: '', jobs: [this.current] }];
      }
      this.pending.push(this.current);
      return [];
    }
    if (this.current && (m = /^wildcards: (.*)$/.exec(line))) {
      for (const pair of m[1]!.split(', ')) {
        const [key, value] = pair.split('=');
        if (key && value !== undefined) this.current.wildcards[key] = value;
      }
      return [];
    }
    if ((m = /^Submitted (?:group )?job (\S+) with external jobid '([^';]+)[^']*'\.$/.exec(line))) {
      const slurmJob = m[2]!;
      const group = line.startsWith('Submitted group job');
      const jobs = group ? this.pending : this.pending.filter((j) => j.jobid === Number(m![1]));
      for (const job of jobs) {
        job.slurmJob = slurmJob;
        job.submittedMs = atMs;
      }
      this.pending = [];
      this.current = undefined;
      return [{ type: 'submitted', slurmJob, jobs }];
    }
    if ((m = /^Finished job (\d+)\.$/.exec(line))) {
      const job = this.jobs.get(Number(m[1]));
      if (!job) return [];
      job.finishedMs = atMs;
      return [{ type: 'finished', job }];
    }
    if ((m = /^(\d+) of (\d+) steps \(.*\) done$/.exec(line))) return [{ type: 'steps', done: Number(m[1]), total: Number(m[2]) }];
    if ((m = /^Error in rule (\w+):$/.exec(line))) {
      this.errors.push(m[1]!);
      return [{ type: 'error', rule: m[1]! }];
    }
    return [];
  }
}

/** `logs/slurm/<id>.times` of the job script: each start (node) and end (exit status) of a Slurm job. */
export interface JobTimes {
  starts: Array<{ atS: number; node: string }>;
  ends: Array<{ atS: number; status: number }>;
}

export function parseJobTimes(text: string): JobTimes {
  const times: JobTimes = { starts: [], ends: [] };
  for (const line of text.split('\n')) {
    const [kind, at, rest] = line.trim().split(/\s+/);
    const atS = Number(at);
    if (!Number.isFinite(atS)) continue;
    if (kind === 'start' && rest) times.starts.push({ atS, node: rest });
    if (kind === 'end' && rest !== undefined) times.ends.push({ atS, status: Number(rest) });
  }
  return times;
}

/** A `benchmark:` file's wall seconds (column `s` of its one data row). */
export function benchmarkSeconds(tsv: string): number {
  const [header, row] = tsv.trim().split('\n');
  if (!header || !row) throw new Error('benchmark file without a data row');
  const index = header.split('\t').indexOf('s');
  const value = Number(row.split('\t')[index]);
  if (index < 0 || !Number.isFinite(value)) throw new Error(`benchmark file without a wall-time column: ${header}`);
  return value;
}

/**
 * `scontrol --oneliner show job` (every job the controller still holds): job id → how many times
 * Slurm requeued it. The job script's `.times` misses a start when its node died before the
 * script ran (Slurm counts a job RUNNING from its allocation on); the controller does not.
 */
export function parseJobRestarts(text: string): Map<string, number> {
  const restarts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const id = /(?:^|\s)JobId=(\d+)(?:\s|$)/.exec(line)?.[1];
    const count = /(?:^|\s)Restarts=(\d+)(?:\s|$)/.exec(line)?.[1];
    if (id && count !== undefined) restarts.set(id, Number(count));
  }
  return restarts;
}
