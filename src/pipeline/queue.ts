/**
 * The shard queue: each job is claimed by one free worker; when a worker dies under a job the job
 * goes back to the front of the queue for the remaining workers and the dead worker leaves the
 * pool. A job's result is recorded once, by the attempt that finished it: nothing is lost and
 * nothing is counted twice. A job that fails for any other reason fails the run.
 */
import { WorkerLost } from './exec.js';

export interface QueueEvent<W> {
  type: 'start' | 'done' | 'lost';
  job: number;
  worker: W;
  attempt: number;
  error?: string;
}

export interface JobOutcome<T, W> {
  result: T;
  worker: W;
  attempts: number;
  seconds: number;
}

export async function runQueue<T, W>(
  jobCount: number,
  workers: readonly W[],
  execute: (job: number, worker: W, attempt: number) => Promise<T>,
  onEvent: (event: QueueEvent<W>) => void = () => undefined,
): Promise<Array<JobOutcome<T, W>>> {
  const pending = Array.from({ length: jobCount }, (_, i) => i);
  const attempts = new Array<number>(jobCount).fill(0);
  const outcomes = new Array<JobOutcome<T, W> | undefined>(jobCount);
  let alive = workers.length;
  let failure: unknown;

  const loop = async (worker: W): Promise<void> => {
    while (pending.length && failure === undefined) {
      const job = pending.shift()!;
      const attempt = ++attempts[job]!;
      onEvent({ type: 'start', job, worker, attempt });
      const started = Date.now();
      try {
        const result = await execute(job, worker, attempt);
        if (!outcomes[job]) outcomes[job] = { result, worker, attempts: attempt, seconds: (Date.now() - started) / 1000 };
        onEvent({ type: 'done', job, worker, attempt });
      } catch (error) {
        if (error instanceof WorkerLost) {
          pending.unshift(job);
          alive--;
          onEvent({ type: 'lost', job, worker, attempt, error: error.message });
          return;
        }
        failure ??= error;
        return;
      }
    }
  };
  await Promise.all(workers.map(loop));
  if (failure !== undefined) throw failure;
  if (pending.length) {
    throw new Error(`all ${workers.length} workers were lost; ${pending.length} of ${jobCount} shard jobs were not done (alive: ${alive})`);
  }
  return outcomes.map((o, i) => {
    if (!o) throw new Error(`shard job ${i} has no result`);
    return o;
  });
}
