import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { must } from '../../_shared/shell.js';

export default defineWrongAttempts([
  {
    name: 'runs a container by hand under the VM\'s name',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['run', '-d', '--name', lab.vmName(1), 'debian:bookworm-slim', 'sleep', 'infinity']);
    },
    says: (lab) => `${lab.vmName(1)} was not made from the course (it carries no labels of course ${lab.course.id} and learner ${lab.learner.id}): a machine made by hand is not your lab; remove it and run \`${lab.command(`up ${lab.shown(lab.courseFile)}`)}\``,
    cleanup: async (lab) => {
      await must(lab, 'docker', ['rm', '-f', lab.vmName(1)]);
    },
  },
  {
    name: 'restarts Prometheus, hoping the node comes back',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['restart', `${lab.course.id}-prometheus`]);
    },
    says: (lab) => `${lab.vmName(1)} is not running (missing): redeploy it from code (\`${lab.vars().resops} up ${lab.vars().course_file}\`)`,
  },
]);
