import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { writeQuery } from '../promql.js';

const FILE = 'monitoring/my-vms.promql';

export default defineWrongAttempts([
  {
    name: 'selects the right VMs but the wrong metric',
    attempt: async (lab) => {
      writeQuery(lab, FILE, `up{learner="${lab.learner.id}"}`);
    },
    says: (lab) => `\`up{learner="${lab.learner.id}"}\` returns up, not node_load1`,
  },
  {
    name: 'matches the label on the learner\'s name instead of their id',
    attempt: async (lab) => {
      writeQuery(lab, FILE, `node_load1{learner="${lab.learner.name}"}`);
    },
    says: (lab) => `\`node_load1{learner="${lab.learner.name}"}\` returns nothing: check the metric name and your label matchers in the Prometheus UI (${lab.urls().prometheus})`,
  },
  {
    name: 'writes a matcher without quotes',
    attempt: async (lab) => {
      writeQuery(lab, FILE, `node_load1{learner=${lab.learner.id}}`);
    },
    // Prometheus's own parser error follows: its wording is Prometheus's, not ours.
    says: (lab) => new RegExp(`^Prometheus rejected the query \`node_load1\\{learner=${lab.learner.id}\\}\`: \\S`),
  },
]);
