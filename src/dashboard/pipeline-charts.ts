import { chartSvg, type ChartSpec } from '../charts/svg.js';
import { fitAmdahlIfAny, scaleTable, speedupSamples, type AmdahlFit } from '../pipeline/amdahl.js';
import { STAGES } from '../pipeline/model.js';
import { scalingSvg } from '../pipeline/plot.js';
import type { LearnerRun, PipelineView } from './pipeline-view.js';

/**
 * The pipeline view's charts, drawn on the server as SVG (src/charts/svg.ts): one bar per recent
 * run split into its stages, and each learner's latest scaling experiment with the same plot
 * `pipeline scale` writes.
 */

export interface PipelineCharts {
  /** Absent when no run is known. */
  stages?: string;
  scaling: Array<{ learner?: string; svg: string; fit?: AmdahlFit }>;
  /** Why no chart is shown (the table still is). */
  error?: string;
}

/** How a run is named on its bar: whose, and its id without the `run-` prefix (its start time). */
export function runLabel(run: Pick<LearnerRun, 'learner' | 'run'>): string {
  return `${run.learner ?? '(course)'} · ${run.run.replace(/^run-/, '')}`;
}

export function stagesSpec(runs: readonly LearnerRun[]): ChartSpec {
  const known: readonly string[] = STAGES;
  const stages = [...known, ...new Set(runs.flatMap((r) => r.stages.map((s) => s.stage)).filter((s) => !known.includes(s)))];
  const values = runs.flatMap((run) => run.stages.map((s) => ({ run: runLabel(run), stage: s.stage, seconds: s.seconds, order: stages.indexOf(s.stage) })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'recent runs: seconds per stage',
    width: 520,
    height: { step: 18 },
    background: 'white',
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'run', type: 'nominal', title: null, sort: runs.map(runLabel), axis: { labelLimit: 320 } },
      x: { field: 'seconds', type: 'quantitative', title: 'seconds', stack: 'zero' },
      color: { field: 'stage', type: 'nominal', scale: { domain: stages }, legend: { orient: 'bottom', columns: stages.length } },
      order: { field: 'order', type: 'ordinal' },
    },
  };
}

export async function pipelineCharts(view: PipelineView): Promise<PipelineCharts> {
  const scaling = await Promise.all(
    view.scaling.map(async (scale) => {
      const fit = fitAmdahlIfAny(speedupSamples(scale.points));
      const title = `${scale.learner ?? '(course)'}: ${scale.reads} read pairs, ${scale.storage}, ${scale.repeat}× each`;
      const svg = await scalingSvg(scaleTable(scale.points), speedupSamples(scale.points), fit, { title, width: 300, height: 200 });
      return { ...(scale.learner ? { learner: scale.learner } : {}), svg, ...(fit ? { fit } : {}) };
    }),
  );
  return { ...(view.runs.length ? { stages: await chartSvg(stagesSpec(view.runs)) } : {}), scaling };
}
