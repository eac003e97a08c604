import { defineCheck } from '../../../src/exercises/kit.js';
import { experiment } from '../scaling.js';

const FILE = 'scaling/answers.yaml';

export default defineCheck(async (lab) => {
  const result = experiment(lab, new Date(0));
  if (!result.fit) return lab.missing('your experiment has no Amdahl fit (it needs two worker counts): run it again');
  const answer = lab.numberAnswer(lab.answers(FILE), FILE, 'serial_fraction');
  if (answer < 0 || answer > 1) return lab.missing(`${lab.shown(lab.path(FILE))} serial_fraction: ${answer} is not a fraction between 0 and 1`);
  const fit = result.fit.serialFraction;
  const tolerance = Math.max(0.05, 2 * (result.fit.standardError ?? 0));
  if (Math.abs(answer - fit) > tolerance) return lab.missing(`${lab.shown(lab.path(FILE))} serial_fraction: ${answer} is more than ${tolerance.toFixed(2)} away from what your measurements say; recompute it from the speedups in your table`);
  return `serial fraction ${answer} (the fit says ${fit.toFixed(3)}): no number of workers makes this pipeline more than ${(1 / Math.max(fit, 1e-9)).toFixed(1)}× faster`;
});
