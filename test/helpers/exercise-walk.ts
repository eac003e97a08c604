/**
 * One learner's walk through an exercise, as the exercise tests run it on either target: start
 * it, then for each step of the course's target the check on the fresh environment fails with
 * the step's own message; each wrong attempt is made, rejected with exactly its message and
 * undone by `reset` (after which the check fails as on a fresh lab); the solution passes.
 */
import { expect } from 'vitest';
import type { ExerciseEngine } from '../../src/exercises/engine.js';

export interface WalkRecord {
  /** The solutions' and setups' progress lines. */
  log: string[];
  outcomes: Array<{ step: string; fresh: string; solved: string }>;
  /** `exercise/step: attempt name` of every wrong attempt rejected. */
  wrongAttempts: string[];
}

export const newWalkRecord = (): WalkRecord => ({ log: [], outcomes: [], wrongAttempts: [] });

/**
 * `wrongAttempts`: `all` (the default) makes every attempt of the course's target; `target-only`
 * only those written for it (`targets` naming it): a second target's walk that repeats the
 * target-independent ones proves the same checks twice.
 */
export async function walkExercise(engine: () => ExerciseEngine, exerciseId: string, record: WalkRecord, options: { wrongAttempts?: 'all' | 'target-only' } = {}): Promise<void> {
  const e = engine();
  // The exercise as the course's target has it: steps of the other target are not there.
  const exercise = e.exercises.find((x) => x.id === exerciseId)!;
  const view = await e.start(exercise.id);
  expect(view).toMatchObject({ exercise: exercise.id, step: exercise.steps[0]!.id });
  for (const step of exercise.steps) {
    expect(e.current().step.id).toBe(step.id);
    const fresh = await e.check();
    expect(fresh.passed, `${exercise.id}/${step.id} passed on a fresh environment: ${fresh.message}`).toBe(false);
    expect(fresh.message, `${exercise.id}/${step.id}`).toContain(step.freshFailure);
    const attempts = (await e.wrongAttempts(exercise, step)).filter((w) => options.wrongAttempts !== 'target-only' || w.targets !== undefined);
    for (const wrong of attempts) {
      const what = `${exercise.id}/${step.id}, wrong attempt "${wrong.name}"`;
      const lab = e.lab(exercise, step);
      await wrong.attempt(lab).catch((error: Error) => {
        throw new Error(`${what}: the attempt itself failed: ${error.message}\n--- last lines of its output:\n${record.log.slice(-40).join('\n')}`);
      });
      const says = await wrong.says(lab);
      const outcome = await e.check();
      expect(outcome.passed, `${what} passed: ${outcome.message}`).toBe(false);
      if (typeof says === 'string') expect(outcome.message, what).toBe(says);
      else expect(outcome.message, what).toMatch(says);
      await wrong.cleanup?.(lab);
      // Reset must give the step back exactly as it started: its check fails as on a fresh lab.
      await e.reset();
      const again = await e.check();
      expect(again.passed, `${what}: after reset the check passed: ${again.message}`).toBe(false);
      expect(again.message, `${what}: after reset`).toContain(step.freshFailure);
      record.wrongAttempts.push(`${exercise.id}/${step.id}: ${wrong.name}`);
    }
    const solved = await e.solve().catch((error: Error) => {
      throw new Error(`${exercise.id}/${step.id}: ${error.message}\n--- last lines of the solution's output:\n${record.log.slice(-40).join('\n')}`);
    });
    expect(solved).toMatchObject({ passed: true, step: step.id });
    record.outcomes.push({ step: `${exercise.id}/${step.id}`, fresh: fresh.message, solved: solved.message });
  }
  expect(e.list().find((x) => x.id === exercise.id)).toMatchObject({ status: 'complete', solvedBySolution: exercise.steps.length });
}
