import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { runPipeline } from '../../_shared/pipeline.js';

const expected = (lab: Lab, other: string) =>
  `no pipeline run with 1 worker and 1 shard (--storage volume) since you started this step (1 other run(s): ${other}): run \`${lab.command('pipeline run {course} --learner {learner} --workers 1 --shards 1 --reads 2000 --storage volume')}\``;

// The cloud-native attempt first: the solution's run is lift-and-shift, so the cluster switches
// image once less.
export default defineWrongAttempts([
  {
    name: 'runs the cloud-native image instead of the one with the reference baked in',
    attempt: (lab) => runPipeline(lab, ['--workers', '1', '--shards', '1', '--reads', '500', '--storage', 'object']),
    says: (lab) => expected(lab, '1 worker(s)/1 shard(s) with --storage object'),
  },
  {
    name: 'runs two shards',
    attempt: (lab) => runPipeline(lab, ['--workers', '1', '--shards', '2', '--reads', '500', '--storage', 'volume']),
    says: (lab) => expected(lab, '1 worker(s)/2 shard(s) with --storage volume'),
  },
]);
