import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { must } from '../../_shared/shell.js';
import { handMadeVm } from '../../_shared/wrong.js';

export default defineWrongAttempts([
  handMadeVm,
  {
    name: 'restarts Prometheus, hoping the node comes back',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['restart', `${lab.course.id}-prometheus`]);
    },
    says: (lab) => `${lab.vmName(1)} is not running (missing): redeploy it from code (\`${lab.command('up {course} --learner {learner}')}\`)`,
  },
]);
