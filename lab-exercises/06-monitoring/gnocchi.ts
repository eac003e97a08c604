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

const stamp = (i: number) => `2026-01-01T00:${String(i).padStart(2, '0')}:00`;

/**
 * The step's writes: the resource with metrics single and batch, `single` measures one request
 * each (value i) and `batch` measures in one request (value 1.5·i). Seconds each took.
 */
export async function writeMeasures(lab: Lab, counts: { single: number; batch: number }): Promise<{ single: number; batch: number }> {
  const metrics = { single: { archive_policy_name: 'resops-pipeline' }, batch: { archive_policy_name: 'resops-pipeline' } };
  const created = await lab.gnocchi('POST', '/v1/resource/generic', { id: resourceId(lab), metrics });
  if (created.status !== 201 && created.status !== 409) return lab.missing(`creating ${resourceId(lab)}: Gnocchi answered ${created.status} ${JSON.stringify(created.body).slice(0, 200)}`);
  const base = `/v1/resource/generic/${resourceId(lab)}/metric`;
  const t0 = performance.now();
  for (let i = 0; i < counts.single; i++) {
    const r = await lab.gnocchi('POST', `${base}/single/measures`, [{ timestamp: stamp(i), value: i }]);
    if (r.status !== 202) return lab.missing(`single write ${i}: Gnocchi answered ${r.status}`);
  }
  const single = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const r = await lab.gnocchi('POST', `${base}/batch/measures`, Array.from({ length: counts.batch }, (_, i) => ({ timestamp: stamp(i), value: i * 1.5 })));
  if (r.status !== 202) return lab.missing(`batch write: Gnocchi answered ${r.status}`);
  return { single, batch: (performance.now() - t1) / 1000 };
}
