/** The Gnocchi side of the exercise: the learner's resource and what its metrics hold. */
import type { Lab } from '../../src/exercises/kit.js';

export const resourceId = (lab: Lab) => `${lab.learner.id}-exercise6`;
export const FILE = 'monitoring/gnocchi.yaml';

type Point = [string, number, number];

/** Σ of an aggregate at the metric's finest granularity (fresh: `refresh=true` aggregates pending measures). */
async function total(lab: Lab, metric: string, aggregation: 'sum' | 'count'): Promise<number> {
  const { status, body } = await lab.gnocchi('GET', `/v1/resource/generic/${resourceId(lab)}/metric/${metric}/measures?aggregation=${aggregation}&refresh=true`);
  if (status === 404) return lab.missing(`resource ${resourceId(lab)} has no metric "${metric}": create it (archive policy resops-pipeline)`);
  if (status !== 200 || !Array.isArray(body)) return lab.missing(`Gnocchi answered ${status} for the measures of ${metric}: ${JSON.stringify(body).slice(0, 200)}`);
  const points = body as Point[];
  if (!points.length) return 0;
  const finest = Math.min(...points.map((p) => p[1]));
  return points.filter((p) => p[1] === finest).reduce((n, p) => n + p[2], 0);
}

export async function metricSummary(lab: Lab, metric: string): Promise<{ count: number; mean: number }> {
  const count = await total(lab, metric, 'count');
  const sum = count ? await total(lab, metric, 'sum') : 0;
  return { count, mean: count ? sum / count : Number.NaN };
}
