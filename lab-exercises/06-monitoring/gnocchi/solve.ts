import { defineSolve } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { FILE, metricSummary, writeMeasures } from '../gnocchi.js';

const MEASURES = 60;

export default defineSolve(async (lab) => {
  const seconds = await writeMeasures(lab, { single: MEASURES, batch: MEASURES });
  const { mean } = await metricSummary(lab, 'batch');
  writeAnswers(lab, FILE, { single_seconds: Number(seconds.single.toFixed(3)), batch_seconds: Number(seconds.batch.toFixed(4)), batch_mean: mean });
});
