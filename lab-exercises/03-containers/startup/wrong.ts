import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { writeAnswers } from '../../_shared/answers.js';
import { runPipeline, SOLUTION_READS } from '../../_shared/pipeline.js';

const FILE = 'containers/answers.yaml';
const oneShard = (lab: Lab, storage: string, since = new Date(0)) => lab.pipelineRuns(since).filter((r) => r.workers === 1 && r.shards === 1 && r.storage === storage).pop()!;

export default defineWrongAttempts([
  {
    name: 'makes the object-storage run with two workers',
    attempt: async (lab) => {
      await runPipeline(lab, ['--workers', '2', '--shards', '2', '--reads', '500', '--storage', 'object']);
    },
    says: (lab) => `no one-shard run with --storage object since you started this step: run \`${lab.command('pipeline run {course} --learner {learner} --workers 1 --shards 1 --reads 2000 --storage object')}\``,
  },
  {
    name: 'writes each run\'s whole wall time instead of when its reference was ready',
    attempt: async (lab) => {
      await runPipeline(lab, ['--workers', '1', '--shards', '1', '--reads', String(SOLUTION_READS), '--storage', 'object']);
      writeAnswers(lab, FILE, { ready_reference_in_image_s: oneShard(lab, 'volume').wallSeconds, ready_fetch_at_runtime_s: oneShard(lab, 'object').wallSeconds });
    },
    says: (lab) => {
      const report = (run: { reportFile: string }) => lab.shown(run.reportFile.replace(/json$/, 'md'));
      const [volume, object] = [oneShard(lab, 'volume'), oneShard(lab, 'object')];
      return `${lab.shown(lab.path(FILE))}: ready_reference_in_image_s: ${volume.wallSeconds} s, but report ${report(volume)} says otherwise; ready_fetch_at_runtime_s: ${object.wallSeconds} s, but report ${report(object)} says otherwise`;
    },
  },
]);
