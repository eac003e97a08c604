/**
 * The pipeline's stages as data and the orchestrator that runs them, without Docker: a stand-in
 * for `docker exec` (execIn) answers each stage with a measure line, loses a worker on cue or
 * fails a stage. Pins what the run reports: timings, progress lines, events, the measures the
 * metrics get, and a one-worker stage handed to the next worker. Also the options' checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import { collectingProgress } from '../src/local/progress.js';
import { StageFailed, WorkerLost } from '../src/pipeline/exec.js';
import type { PipelineInfra } from '../src/pipeline/infra.js';
import { STAGES, type PipelineEvent, type RunPlan } from '../src/pipeline/model.js';
import { DEFAULTS, planRun } from '../src/pipeline/options.js';
import { StageRunner, type StageObserver } from '../src/pipeline/orchestrator.js';
import { PIPELINE_STAGES } from '../src/pipeline/stages.js';
import { courseYaml } from './helpers/course-yaml.js';
import { runCli } from './helpers/run-cli.js';

/** What the stand-in does for a command on a worker: its stdout, or an error to throw. */
type Script = (worker: string, command: string, args: string[]) => string | Error;
const script: { current: Script } = { current: () => '{}' };
const calls: string[] = [];

vi.mock('../src/pipeline/exec.js', async (importActual) => {
  const actual = await importActual<typeof import('../src/pipeline/exec.js')>();
  return {
    ...actual,
    execIn: async (_docker: Docker, _container: string, worker: string, _stage: string, cmd: string[]) => {
      const [, command = '', ...args] = cmd;
      calls.push(`${worker} ${cmd.join(' ')}`);
      const answer = script.current(worker, command, args);
      if (answer instanceof Error) throw answer;
      return { stdout: answer, stderr: '' };
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'resops-stages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function course(target: 'local' | 'openstack' = 'local') {
  const file = join(dir, `${target}.yaml`);
  writeFileSync(file, courseYaml({ id: 'stages', target, learners: 1, workers: 2 }));
  return loadCourse(file);
}

const plan: RunPlan = { run: 'run-x', engine: 'builtin', storage: 'object', workers: 2, reads: 1000, seed: 7, shards: 3, regions: 2 };
const infra: PipelineInfra = {
  storage: 'object',
  image: 'resops/pipeline-cloud:latest',
  startSeconds: [],
  workers: [
    { id: 'worker1', container: 'c-worker1' },
    { id: 'worker2', container: 'c-worker2' },
  ],
  env: { RESOPS_STORAGE: 'object' },
};

function runner() {
  const progress = collectingProgress();
  const events: PipelineEvent[] = [];
  const measured: string[] = [];
  const observer: StageObserver = {
    measured: async (stage, worker, m) => void measured.push(`${stage} ${worker} reads=${m.reads} bytes=${m.bytes}`),
    failed: async (stage, worker) => void measured.push(`${stage} ${worker} failed`),
  };
  const stageRunner = new StageRunner({ docker: {} as Docker, infra, plan, progress, emit: (e) => events.push(e), observer });
  /** Progress lines without their clock, and `Ts` for the seconds measured (the padding stays). */
  const lines = () => progress.lines.map((l) => l.replace(/^\[[^\]]*\] /, '').replace(/\d+\.\ds/, 'Ts'));
  return { stageRunner, events, measured, lines };
}

const measure = (command: string) => JSON.stringify({ stage: command, reads: command === 'shard' ? 100 : 0, bytes: 10 });

describe('the stage table', () => {
  it('lists every stage once, in the order the run reports them', () => {
    expect(PIPELINE_STAGES.map((s) => s.name)).toEqual([...STAGES]);
  });

  it('gives each command its arguments from the run plan', () => {
    const argsOf = (name: string, job = 0) => {
      const stage = PIPELINE_STAGES.find((s) => s.name === name)!;
      return stage.spread === 'every-worker' ? [] : stage.args(plan, job);
    };
    expect(argsOf('align', 2)).toEqual(['index=2', 'shards=3', 'reads=1000', 'seed=7']);
    expect(argsOf('call', 1)).toEqual(['index=1', 'regions=2']);
    expect([argsOf('simulate'), argsOf('merge'), argsOf('gather'), argsOf('evaluate')]).toEqual([['seed=7'], ['shards=3'], ['regions=2'], []]);
  });
});

describe('the orchestrator', () => {
  it('a worker lost in the queue: its job is redone, later stages run on the others, all reported', async () => {
    calls.length = 0;
    let lostOnce = false;
    script.current = (worker, command) => {
      if (worker === 'worker2' && command === 'shard' && !lostOnce) {
        lostOnce = true;
        return new WorkerLost(worker, 'container c-worker2 stopped during shard');
      }
      return `noise\n${measure(command)}\n`;
    };
    const { stageRunner, events, measured, lines } = runner();
    const outcome = await stageRunner.runAll(PIPELINE_STAGES);
    expect(outcome.lost).toEqual(['worker2']);
    expect(outcome.timings.map((t) => [t.stage, t.worker, t.reads, t.bytes])).toEqual([
      ['ready', 'all', 0, 0],
      ['simulate', 'worker1', 0, 10],
      ['align', 'all', 300, 30],
      ['merge', 'worker1', 0, 10],
      ['call', 'all', 0, 20],
      ['gather', 'worker1', 0, 10],
      ['evaluate', 'worker1', 0, 10],
    ]);
    expect(outcome.jobs.get('align')!.map((j) => [j.worker.id, j.attempts])).toEqual([
      ['worker1', 1],
      ['worker1', 2],
      ['worker1', 1],
    ]);
    expect(lines()).toEqual([
      'ready       Ts on all',
      'simulate    Ts on worker1, 0.00 MB',
      'worker2: lost (worker worker2 lost: container c-worker2 stopped during shard); its work goes to the others',
      '  align 1/3 done on worker1',
      '  align 2/3 done on worker1 (attempt 2)',
      '  align 3/3 done on worker1',
      'align       Ts, 3 jobs on 2 workers, 300 reads (lost: worker2)',
      'merge       Ts on worker1, 0.00 MB',
      '  call 1/2 done on worker1',
      '  call 2/2 done on worker1',
      'call        Ts, 2 jobs on 1 worker (lost: worker2)',
      'gather      Ts on worker1, 0.00 MB',
      'evaluate    Ts on worker1, 0.00 MB',
    ]);
    // Each worker's ready, then running totals per job of a queue stage.
    expect(measured.slice(0, 6)).toEqual([
      'ready worker1 reads=0 bytes=10',
      'ready worker2 reads=0 bytes=10',
      'simulate worker1 reads=0 bytes=10',
      'align worker1 reads=100 bytes=10',
      'align worker1 reads=200 bytes=20',
      'align worker1 reads=300 bytes=30',
    ]);
    expect(events.filter((e) => e.type === 'shard' && e.event === 'lost')).toEqual([
      { type: 'shard', stage: 'align', event: 'lost', shards: 3, job: 1, worker: 'worker2', attempt: 1, error: 'worker worker2 lost: container c-worker2 stopped during shard' },
    ]);
    expect(events.filter((e) => e.type === 'stage' && e.stage === 'ready').map((e) => (e.type === 'stage' ? [e.state, e.worker] : []))).toEqual([
      ['start', undefined],
      ['done', 'all'],
    ]);
    expect(await stageRunner.read('calls.vcf')).toContain('{');
    expect(calls.at(-1)).toBe('worker1 resops-pipeline cat name=calls.vcf');
  });

  it('a one-worker stage whose worker dies goes to the next; a stage that fails stops the run', async () => {
    script.current = (worker, command) => (worker === 'worker1' && command === 'simulate' ? new WorkerLost(worker, 'gone') : command === 'merge' ? new StageFailed('merge', worker, 1, 'no BAMs') : measure(command));
    const { stageRunner, events, measured } = runner();
    await expect(stageRunner.runAll(PIPELINE_STAGES)).rejects.toThrow('stage merge failed on worker2 (exit 1)');
    expect(events.filter((e) => e.type === 'stage' && e.stage === 'simulate')).toEqual([
      { type: 'stage', stage: 'simulate', state: 'start', worker: 'worker1' },
      { type: 'stage', stage: 'simulate', state: 'start', worker: 'worker2' },
      { type: 'stage', stage: 'simulate', state: 'done', seconds: expect.any(Number), worker: 'worker2' },
    ]);
    expect(measured.at(-1)).toBe('merge worker2 failed');
  });

  it('every worker lost: the next one-worker stage says so', async () => {
    script.current = (worker) => new WorkerLost(worker, 'gone');
    await expect(runner().stageRunner.runAll(PIPELINE_STAGES)).rejects.toThrow('stage simulate: every worker was lost');
  });
});

describe('the run options', () => {
  it('fills in the defaults: the course storage, seed, shards, one region per worker', () => {
    expect(planRun(course(), { workers: 3, reads: 2000, runId: 'run-1' })).toEqual({ run: 'run-1', engine: 'builtin', storage: 'volume', workers: 3, reads: 2000, seed: DEFAULTS.seed, shards: DEFAULTS.shards, regions: 3 });
  });

  it('refuses what the run cannot do, with the flag in the message', () => {
    expect(() => planRun(course('openstack'), { workers: 1, reads: 2000 })).toThrow("target is openstack; `pipeline run` drives the local target's worker containers");
    expect(() => planRun(course(), { workers: 1, reads: 50 })).toThrow('--reads 50: expected a whole number ≥ 100');
    expect(() => planRun(course(), { workers: 1, reads: 2000, shards: 1000 })).toThrow('--shards 1000: expected a whole number from 1 to 999');
    expect(() => planRun(course(), { workers: 1, reads: 2000, regions: 0 })).toThrow('regions 0: expected a whole number from 1 to 999');
  });

  it('the CLI checks nothing planRun does not: the same message, exit code 2, before anything starts', async () => {
    for (const [flags, says] of [
      [['--shards', '1000'], '--shards 1000: expected a whole number from 1 to 999'],
      [['--reads', '50'], '--reads 50: expected a whole number ≥ 100'],
      [['--workers', '0'], '--workers 0: expected a whole number ≥ 1'],
    ] as const) {
      const run = await runCli(['pipeline', 'run', 'examples/course.yaml', ...flags]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(says);
    }
    const scale = await runCli(['pipeline', 'scale', 'examples/course.yaml', '--workers', '1,2', '--reads', '50']);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toContain('--reads 50: expected a whole number ≥ 100');
  });
});
