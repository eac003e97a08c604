import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { writeQuery } from '../promql.js';

const FILE = 'monitoring/run.promql';

export default defineWrongAttempts([
  {
    name: 'selects every run',
    attempt: async (lab) => {
      writeQuery(lab, FILE, 'resops_pipeline_stage_duration_seconds');
    },
    // How many runs Prometheus holds depends on every run so far; the rule is what matters.
    says: () => /^`resops_pipeline_stage_duration_seconds` returns \d+ runs \(run-[^)]*…\): select one with the run label$/,
  },
  {
    name: 'queries the VM\'s metrics instead of the pipeline\'s',
    attempt: async (lab) => {
      writeQuery(lab, FILE, `node_load1{learner="${lab.learner.id}"}`);
    },
    says: (lab) => `\`node_load1{learner="${lab.learner.id}"}\` returns series without run and stage labels: select resops_pipeline_stage_duration_seconds`,
  },
]);
