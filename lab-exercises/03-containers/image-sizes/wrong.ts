import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';

const FILE = 'containers/answers.yaml';

async function sizes(lab: Lab): Promise<{ baked: number; cloud: number }> {
  const built = await lab.resops(['pipeline', 'build', '{course}']);
  if (built.code !== 0) lab.missing('`resops pipeline build` failed');
  return { baked: (await lab.image('resops/pipeline:latest'))!.sizeMb, cloud: (await lab.image('resops/pipeline-cloud:latest'))!.sizeMb };
}

const MIB = 1.048576;
const inMib = (mb: number) => Number((mb / MIB).toFixed(1));

export default defineWrongAttempts([
  {
    name: 'gives the sizes in MiB (what some tools print) instead of MB',
    attempt: async (lab) => {
      const { baked, cloud } = await sizes(lab);
      writeAnswers(lab, FILE, { reference_in_image_mb: inMib(baked), fetch_at_runtime_mb: inMib(cloud), bigger: baked >= cloud ? 'reference-in-image' : 'fetch-at-run-time' });
    },
    says: async (lab) => {
      const baked = (await lab.image('resops/pipeline:latest'))!.sizeMb;
      const cloud = (await lab.image('resops/pipeline-cloud:latest'))!.sizeMb;
      return `${lab.shown(lab.path(FILE))}: reference_in_image_mb: ${inMib(baked)} MB is not the size of the image (measure it again); fetch_at_runtime_mb: ${inMib(cloud)} MB is not the size of the image (measure it again)`;
    },
  },
  {
    name: 'names the smaller image as the bigger one',
    attempt: async (lab) => {
      const { baked, cloud } = await sizes(lab);
      writeAnswers(lab, FILE, { reference_in_image_mb: Number(baked.toFixed(2)), fetch_at_runtime_mb: Number(cloud.toFixed(2)), bigger: baked >= cloud ? 'fetch-at-run-time' : 'reference-in-image' });
    },
    says: async (lab) => {
      const baked = (await lab.image('resops/pipeline:latest'))!.sizeMb;
      const cloud = (await lab.image('resops/pipeline-cloud:latest'))!.sizeMb;
      return `${lab.shown(lab.path(FILE))}: bigger: "${baked >= cloud ? 'fetch-at-run-time' : 'reference-in-image'}" is not the bigger image (reference-in-image or fetch-at-run-time)`;
    },
  },
]);
