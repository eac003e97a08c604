import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { runPipeline } from '../../_shared/pipeline.js';
import { must } from '../../_shared/shell.js';

const noLoss = (lab: Parameters<typeof runPipeline>[0]) =>
  `no run that lost a worker since you started this step (${lab.pipelineRuns().length} run(s) without a failure): kill a worker during the align stage`;

export default defineWrongAttempts([
  {
    name: 'runs the pipeline and kills nothing',
    attempt: async (lab) => {
      await runPipeline(lab, ['--workers', '2', '--shards', '2', '--reads', '500']);
    },
    says: noLoss,
  },
  {
    name: 'kills the worker after the run has finished',
    targets: ['local'],
    attempt: async (lab) => {
      await runPipeline(lab, ['--workers', '2', '--shards', '2', '--reads', '500']);
      await must(lab, 'docker', ['kill', `${lab.course.id}-worker2`]);
    },
    says: noLoss,
  },
]);
