import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Course } from '../course/model.js';
import type { PipelineResult } from '../pipeline/model.js';
import type { ScaleResult } from '../pipeline/scale.js';
import { pipelineRunsIn, scaleResultIn } from '../exercises/lab-files.js';
import type { ProgressEvent, RunDigest, ScaleDigest } from './events.js';

/**
 * The dashboard's pipeline view: each learner's recent runs with the seconds of every stage, and
 * their latest scaling experiment. Runs come from what learners reported (`pipeline run --learner`
 * on their own machines) and from the reports in this machine's state directory (runs made here,
 * the instructor's among them); a run both sent and found here is shown once.
 */

/** Runs shown per learner (and for the course's own runs): enough to compare, few enough to read. */
export const RECENT_RUNS = 5;

export interface LearnerRun extends RunDigest {
  /** Who ran it; absent for runs made without --learner (the instructor's). */
  learner?: string;
  /** When it ended (ISO). */
  at: string;
}

export interface LearnerScale extends ScaleDigest {
  learner?: string;
  at: string;
}

export interface PipelineView {
  /** Most recent first; at most RECENT_RUNS per learner. */
  runs: LearnerRun[];
  /** The latest experiment per learner, most recent first. */
  scaling: LearnerScale[];
}

export function runDigest(r: Omit<PipelineResult, 'vcf'>): RunDigest {
  return {
    run: r.run,
    storage: r.storage,
    workers: r.workers,
    reads: r.reads,
    wallSeconds: r.wallSeconds,
    stages: r.stages.map((s) => ({ stage: s.stage, seconds: s.seconds })),
    lostWorkers: r.lostWorkers.length,
    f1: r.evaluation.f1,
  };
}

export function scaleDigest(r: Pick<ScaleResult, 'storage' | 'reads' | 'repeat' | 'points'>): ScaleDigest {
  return { storage: r.storage, reads: r.reads, repeat: r.repeat, points: r.points.map((p) => ({ workers: p.workers, seconds: [...p.seconds] })) };
}

/**
 * What this machine's state directory holds, read as the exercises' checks read it
 * (src/exercises/lab-files.ts): the runs' reports and the latest scaling experiment.
 */
export function localPipeline(course: Pick<Course, 'dir' | 'stateDir'>): PipelineView {
  const stateDir = resolve(course.dir, course.stateDir);
  const runs = pipelineRunsIn(stateDir, new Date(0)).map((report): LearnerRun => ({ ...runDigest(report), ...(report.learner ? { learner: report.learner } : {}), at: report.finishedAt.toISOString() }));
  const scale = scaleResultIn(stateDir, new Date(0));
  const scaling: LearnerScale[] = scale ? [{ ...scaleDigest(scale), ...(scale.learner ? { learner: scale.learner } : {}), at: statSync(scale.file).mtime.toISOString() }] : [];
  return { runs, scaling };
}

const newestFirst = <T extends { at: string }>(a: T, b: T) => b.at.localeCompare(a.at);

/** Reported and local runs together: one entry per run id, RECENT_RUNS per learner, the latest experiment per learner. */
export function pipelineView(events: readonly ProgressEvent[], local: PipelineView): PipelineView {
  const runs = new Map<string, LearnerRun>();
  const scaling = new Map<string, LearnerScale>();
  for (const run of local.runs) runs.set(run.run, run);
  for (const e of events) {
    if (e.kind === 'pipeline') runs.set(e.run.run, { ...e.run, learner: e.learner, at: e.at });
    if (e.kind === 'scale') {
      const previous = scaling.get(e.learner);
      if (!previous || previous.at <= e.at) scaling.set(e.learner, { ...e.scale, learner: e.learner, at: e.at });
    }
  }
  for (const scale of local.scaling) {
    const key = scale.learner ?? '';
    const previous = scaling.get(key);
    if (!previous || previous.at < scale.at) scaling.set(key, scale);
  }
  const perLearner = new Map<string, number>();
  const recent = [...runs.values()].sort(newestFirst).filter((run) => {
    const seen = perLearner.get(run.learner ?? '') ?? 0;
    perLearner.set(run.learner ?? '', seen + 1);
    return seen < RECENT_RUNS;
  });
  return { runs: recent, scaling: [...scaling.values()].sort(newestFirst) };
}
