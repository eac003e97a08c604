import { defineCheck } from '../../../src/exercises/kit.js';

const FILE = 'containers/answers.yaml';

export default defineCheck(async (lab) => {
  const answers = lab.answers(FILE);
  const baked = await lab.image('resops/pipeline:latest');
  const cloud = await lab.image('resops/pipeline-cloud:latest');
  if (!baked || !cloud) return lab.missing(`the images are not built yet: run \`${lab.command('pipeline build {course}')}\``);
  const wrong: string[] = [];
  for (const [field, actual] of [['reference_in_image_mb', baked.sizeMb], ['fetch_at_runtime_mb', cloud.sizeMb]] as const) {
    const answer = lab.numberAnswer(answers, FILE, field);
    if (Math.abs(answer - actual) > Math.max(1, actual * 0.01)) wrong.push(`${field}: ${answer} MB is not the size of the image (measure it again)`);
  }
  const bigger = baked.sizeMb >= cloud.sizeMb ? 'reference-in-image' : 'fetch-at-run-time';
  if (answers.bigger !== bigger) wrong.push(`bigger: "${String(answers.bigger ?? '')}" is not the bigger image (reference-in-image or fetch-at-run-time)`);
  if (wrong.length) return lab.missing(`${lab.shown(lab.path(FILE))}: ${wrong.join('; ')}`);
  return `resops/pipeline ${baked.sizeMb.toFixed(1)} MB vs resops/pipeline-cloud ${cloud.sizeMb.toFixed(1)} MB: baking the reference in costs ${((baked.sizeMb - cloud.sizeMb) * 1000).toFixed(0)} kB here`;
});
