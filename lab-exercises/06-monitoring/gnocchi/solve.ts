import { defineSolve } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { metricSummary, resourceId, FILE } from '../gnocchi.js';

const MEASURES = 60;
const stamp = (i: number) => `2026-01-01T00:${String(i).padStart(2, '0')}:00`;

export default defineSolve(async (lab) => {
  const metrics = { single: { archive_policy_name: 'resops-pipeline' }, batch: { archive_policy_name: 'resops-pipeline' } };
  const created = await lab.gnocchi('POST', '/v1/resource/generic', { id: resourceId(lab), metrics });
  if (created.status !== 201 && created.status !== 409) return lab.missing(`creating ${resourceId(lab)}: Gnocchi answered ${created.status} ${JSON.stringify(created.body).slice(0, 200)}`);
  const base = `/v1/resource/generic/${resourceId(lab)}/metric`;
  const t0 = performance.now();
  for (let i = 0; i < MEASURES; i++) {
    const r = await lab.gnocchi('POST', `${base}/single/measures`, [{ timestamp: stamp(i), value: i }]);
    if (r.status !== 202) return lab.missing(`single write ${i}: Gnocchi answered ${r.status}`);
  }
  const single = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const r = await lab.gnocchi('POST', `${base}/batch/measures`, Array.from({ length: MEASURES }, (_, i) => ({ timestamp: stamp(i), value: i * 1.5 })));
  if (r.status !== 202) return lab.missing(`batch write: Gnocchi answered ${r.status}`);
  const batch = (performance.now() - t1) / 1000;
  const { mean } = await metricSummary(lab, 'batch');
  writeAnswers(lab, FILE, { single_seconds: Number(single.toFixed(3)), batch_seconds: Number(batch.toFixed(4)), batch_mean: mean });
});
