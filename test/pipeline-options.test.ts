/**
 * A pipeline run's options: the defaults filled in and what is refused, by planRun and through the
 * CLI with the same words (exit code 2, before any container starts). No Docker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import { DEFAULTS, planRun } from '../src/pipeline/options.js';
import { courseYaml } from './helpers/course-yaml.js';
import { runCli } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'resops-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function course(target: 'local' | 'openstack' = 'local', storage: 'volume' | 'object' | 'both' = 'volume') {
  const file = join(dir, `${target}-${storage}.yaml`);
  writeFileSync(file, courseYaml({ id: 'options', target, learners: 1, workers: 2, storage }));
  return loadCourse(file);
}

describe('the run options', () => {
  it('fills in the defaults: the course storage, seed, shards, one region per worker', () => {
    expect(planRun(course(), { workers: 3, reads: 2000, runId: 'run-1' })).toEqual({ run: 'run-1', storage: 'volume', workers: 3, reads: 2000, seed: DEFAULTS.seed, shards: DEFAULTS.shards, regions: DEFAULTS.regions });
  });

  it('a run names its storage or takes the course\'s; a course deploying both runs on the shared volume unless told otherwise', () => {
    expect(planRun(course('openstack', 'object'), { workers: 1, reads: 2000, runId: 'run-4' }).storage).toBe('object');
    expect(planRun(course('openstack', 'both'), { workers: 1, reads: 2000, runId: 'run-5' }).storage).toBe('volume');
    expect(planRun(course('openstack', 'both'), { workers: 1, reads: 2000, storage: 'object', runId: 'run-6' }).storage).toBe('object');
  });

  it('refuses what the run cannot do, with the flag in the message', () => {
    expect(planRun(course('openstack'), { workers: 1, reads: 2000, runId: 'run-3' }).storage).toBe('volume');
    expect(planRun(course('openstack'), { workers: 1, reads: 2000, storage: 'object', runId: 'run-2' }).storage).toBe('object');
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

  it('a run is only ever a learner of the course\'s: an unknown --learner or RESOPS_LEARNER is refused before anything starts', async () => {
    const flag = await runCli(['pipeline', 'run', 'examples/course.yaml', '--workers', '1', '--learner', 'zoe']);
    expect(flag.code, flag.stderr).toBe(2);
    expect(flag.stderr).toContain('examples/course.yaml: no learner "zoe" in course resops-demo');
    process.env.RESOPS_LEARNER = 'zoe';
    const env = await runCli(['pipeline', 'scale', 'examples/course.yaml', '--workers', '1,2']).finally(() => delete process.env.RESOPS_LEARNER);
    expect(env.code, env.stderr).toBe(2);
    expect(env.stderr).toContain('no learner "zoe" in course resops-demo (from RESOPS_LEARNER)');
  });

  it('on openstack: scale beyond the course\'s worker VMs, and a storage other than the one the course deploys, are refused before anything starts (exit 2), saying what to do instead', async () => {
    const other = await runCli(['pipeline', 'run', 'examples/course.yaml', '--target', 'openstack', '--workers', '2', '--storage', 'object']);
    expect(other.code, other.stderr).toBe(2);
    expect(other.stderr).toContain('--storage object: course resops-demo deploys a shared volume (lift-and-shift), not a Swift container (pipeline.storage in examples/course.yaml)');
    expect(other.stderr).toContain('set pipeline.storage: both (or object) in examples/course.yaml, then `resops up` and `resops configure`');
    const scale = await runCli(['pipeline', 'scale', 'examples/course.yaml', '--target', 'openstack', '--workers', '1,3']);
    expect(scale.code, scale.stderr).toBe(2);
    expect(scale.stderr).toContain('pipeline scale --workers 1,3: course resops-demo has 2 worker VM(s) (pipeline.workers in examples/course.yaml)');
    expect(scale.stderr).toContain('on openstack, scale uses the first N workers of the course: raise pipeline.workers');
  });

  it('the engine is not a choice any more: --engine is refused as an unknown option', async () => {
    const run = await runCli(['pipeline', 'run', 'examples/course.yaml', '--workers', '1', '--engine', 'builtin']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--engine/);
  });
});
