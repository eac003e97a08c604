import { defineSolve } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';

export default defineSolve(async (lab) => {
  const build = await lab.resops(['pipeline', 'build', '{course}']);
  if (build.code !== 0) return lab.missing('`resops pipeline build` failed');
  const baked = (await lab.image('resops/pipeline:latest'))!;
  const cloud = (await lab.image('resops/pipeline-cloud:latest'))!;
  writeAnswers(lab, 'containers/answers.yaml', {
    reference_in_image_mb: Number(baked.sizeMb.toFixed(2)),
    fetch_at_runtime_mb: Number(cloud.sizeMb.toFixed(2)),
    bigger: baked.sizeMb >= cloud.sizeMb ? 'reference-in-image' : 'fetch-at-run-time',
  });
});
