import { defineSolve } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { latestRun } from '../porting.js';

export default defineSolve(async (lab) => {
  const volume = latestRun(lab, 'volume', new Date(0));
  const object = latestRun(lab, 'object', new Date(0));
  if (!volume || !object) return lab.missing('do the two previous steps first');
  const [fast, slow] = volume.wallSeconds <= object.wallSeconds ? [volume, object] : [object, volume];
  writeAnswers(lab, 'porting/answers.yaml', { faster: fast.storage, slower_by_percent: Number(((slow.wallSeconds / fast.wallSeconds - 1) * 100).toFixed(1)) });
});
