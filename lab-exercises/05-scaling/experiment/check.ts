import { defineCheck } from '../../../src/exercises/kit.js';
import { experiment } from '../scaling.js';

export default defineCheck(async (lab) => {
  const result = experiment(lab, lab.stepStartedAt);
  if (result.rows.length < 2) return lab.missing(`your experiment measured only ${result.rows.map((r) => r.workers).join(', ')} worker(s): give at least two counts, e.g. --workers ${lab.scaleCounts()}`);
  if (!result.rows.some((r) => r.workers === 1)) return lab.missing('your experiment has no 1-worker runs: include 1 in --workers (speedup is measured against it)');
  const table = result.rows.map((r) => `${r.workers}: ${r.medianSeconds.toFixed(1)} s (×${r.speedup.toFixed(2)})`).join(', ');
  return `scaling experiment with ${result.rows.length} worker counts: ${table}; plot ${lab.shown(result.svg)}`;
});
