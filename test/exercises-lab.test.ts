/**
 * Every exercise of lab-exercises/, in order, by one learner of a class of two on a fresh local lab (real Docker,
 * Prometheus, Gnocchi, Ansible, the pipeline's tools): for each step, the check on the fresh
 * environment fails with the step's own message (exercise.yaml `fresh_failure`); each of the
 * step's wrong attempts (its wrong.ts) is rejected with exactly the message it expects and undone
 * by reset; then the step's solution makes the check pass. Progress written along the way is read back by a new
 * CLI process. The last exercise tears the lab down and proves nothing of it is left. The other
 * learner's lab, up before the walk, is the same at the end: their containers, network and check.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { runInContainer } from '../src/process/run-in-container.js';
import { connectDocker } from '../src/local/docker.js';
import { downLocal } from '../src/local/down.js';
import { collectingProgress } from '../src/local/progress.js';
import { exercisesFor, loadCatalog, type Exercise } from '../src/exercises/catalog.js';
import { ExerciseEngine } from '../src/exercises/engine.js';
import { writeExerciseCourse } from './helpers/exercise-course.js';
import { newWalkRecord, walkExercise } from './helpers/exercise-walk.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dockerAvailable = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

const suffix = Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0');
const n = parseInt(suffix, 16);
const ID = `ex-${suffix}`;

let temp: string;
let course: Course;
let key: string;
const catalog: Exercise[] = loadCatalog();
const record = newWalkRecord();
const { log, outcomes, wrongAttempts } = record;

function engine(): ExerciseEngine {
  return new ExerciseEngine({ course, learner: course.learners[0]!, sshKey: key, catalog, log: (line) => log.push(line) });
}
/** The curriculum as the local target has it (steps of OpenStack only left out). */
const local = exercisesFor(catalog, 'local');

/** The classmate's lab and the course's monitoring, as Docker sees them: names, ids, states. */
async function untouchable(): Promise<string[]> {
  const { docker } = await connectDocker();
  const containers = await docker.listContainers({ all: true, filters: { label: [`resops.course=${ID}`] } });
  const networks = await docker.listNetworks({ filters: { label: [`resops.course=${ID}`, 'resops.learner=learner2'] } });
  return [
    ...containers.filter((c) => c.Labels['resops.learner'] === 'learner2' || c.Labels['resops.role'] === 'monitoring').map((c) => `container ${c.Names[0]} ${c.Id} ${c.State}`),
    ...networks.map((net) => `network ${net.Name} ${net.Id}`),
  ].sort();
}
let classmateBefore: string[] = [];

describe.skipIf(!dockerAvailable)('every exercise, in order, on a fresh local lab, by one learner of two', () => {
  beforeAll(() => {
    temp = mkdtempSync(join(tmpdir(), 'resops-lab-'));
    const made = writeExerciseCourse(temp, ID, n, 2);
    key = made.key;
    const file = made.file;
    course = loadCourse(file);
    // The classmate's lab is up first (with the course's shared parts), as in a class where
    // others started earlier. A cold machine builds the images here.
    const up = spawnSync(process.execPath, [join(ROOT, 'bin', 'resops.mjs'), 'up', file, '--learner', 'learner2'], { cwd: ROOT, encoding: 'utf8', timeout: 1_200_000 });
    if (up.status !== 0) throw new Error(`up --learner learner2 failed (exit ${up.status}):\n${up.stdout}\n${up.stderr.slice(-4000)}`);
  }, 1_250_000);

  it('the classmate\'s lab is up, and learner1 has nothing yet', async () => {
    classmateBefore = await untouchable();
    expect(classmateBefore.filter((l) => l.startsWith(`container /${ID}-learner2-`)).map((l) => l.split(' ').at(-1))).toEqual(['running']);
    expect(classmateBefore.filter((l) => l.startsWith('network ')).length).toBe(1);
    expect(classmateBefore.filter((l) => / \/\S+-(prometheus|alertmanager|pushgateway|gnocchi|postgres) /.test(l))).toHaveLength(5);
    const { docker } = await connectDocker();
    expect(await docker.listContainers({ all: true, filters: { label: [`resops.course=${ID}`, 'resops.learner=learner1'] } })).toEqual([]);
  });

  afterAll(async () => {
    // The teardown exercise removes everything; this is for a run that failed before it.
    if (course) {
      const { docker } = await connectDocker();
      await downLocal(docker, course, collectingProgress());
      // A wrong attempt that failed half-way may leave a container made by hand, without labels.
      for (const c of await docker.listContainers({ all: true, filters: { name: [`^/${ID}-`] } })) await docker.getContainer(c.Id).remove({ force: true });
    }
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  for (const exercise of catalog) {
    it(`${exercise.id}: each step's check fails fresh with its message, rejects its wrong attempts word for word, and passes after its solution`, async () => {
      await walkExercise(engine, exercise.id, record);
      if (exercise.id === '00-setup') {
        // `up` (the lab-up solution) made the course's pipeline cluster too, before any run: the
        // Slurm head and the workers, with Slurm answering.
        const docker = (await connectDocker()).docker;
        const workers = await docker.listContainers({ filters: { label: [`resops.course=${ID}`, 'resops.role=worker'] } });
        expect(workers.map((w) => w.Names[0]).sort()).toEqual([`/${ID}-head`, `/${ID}-worker1`, `/${ID}-worker2`]);
        const sinfo = await runInContainer(docker, docker.getContainer(`${ID}-head`), `${ID}-head`, ['sinfo', '--noheader', '--Node', '--format=%N'], { timeoutMs: 30_000, env: {} });
        expect(sinfo.stdout.trim().split('\n').sort()).toEqual(['worker1', 'worker2']);
      }
      // A cold machine builds images inside a solution (lab up, pipeline build): minutes, bounded.
    }, 900_000);
  }

  it('the classmate\'s lab is untouched by the whole curriculum, teardown included: the same containers (ids, states), network and monitoring, and their lab check still passes', async () => {
    expect(await untouchable()).toEqual(classmateBefore);
    const classmate = new ExerciseEngine({ course, learner: course.learners[1]!, catalog, log: (line) => log.push(line) });
    await classmate.start('00-setup');
    const check = await classmate.check();
    expect({ passed: check.passed, message: check.message }).toMatchObject({ passed: true, message: expect.stringMatching(new RegExp(`^${ID}-learner2-vm1 is running`)) });
  });

  it('the progress of the whole curriculum is read back by a new CLI process, and no step is current any more', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'resops.mjs'), 'exercise', 'progress', '--json', '--course', course.file, '--learner', 'learner1'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    const progress = JSON.parse(result.stdout) as { learner: string; exercises: Array<{ id: string; status: string; done: number; solvedBySolution: number; steps: unknown[] }> };
    expect(progress.learner).toBe('learner1');
    expect((progress as { current?: unknown }).current).toBeNull();
    expect(progress.exercises.map((e) => [e.id, e.status, e.done])).toEqual(local.map((e) => [e.id, 'complete', e.steps.length]));
    expect(outcomes).toHaveLength(local.reduce((count, e) => count + e.steps.length, 0));
    // Every step was tried wrong at least twice on this target.
    for (const step of local.flatMap((e) => e.steps.map((s) => `${e.id}/${s.id}`))) {
      expect(wrongAttempts.filter((w) => w.startsWith(`${step}: `)).length, step).toBeGreaterThanOrEqual(2);
    }
  });
});
