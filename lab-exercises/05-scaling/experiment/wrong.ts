import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { runPipeline } from '../../_shared/pipeline.js';

export default defineWrongAttempts([
  {
    name: 'measures a single worker count',
    attempt: async (lab) => {
      const scale = await lab.resops(['pipeline', 'scale', '{course}', '--learner', '{learner}', '--workers', '2', '--repeat', '1', '--reads', '500']);
      if (scale.code !== 0) lab.missing(`\`resops pipeline scale\` failed (exit ${scale.code})`);
    },
    says: (lab) => `your experiment measured only 2 worker(s): give at least two counts, e.g. --workers ${lab.scaleCounts()}`,
  },
  {
    name: 'makes one run instead of the experiment',
    attempt: async (lab) => {
      await runPipeline(lab, ['--workers', '2', '--shards', '2', '--reads', '500']);
    },
    says: (lab) => `no scaling experiment since you started this step: run \`${lab.command(`pipeline scale {course} --learner {learner} --workers ${lab.scaleCounts()} --repeat 1`)}\``,
  },
]);
