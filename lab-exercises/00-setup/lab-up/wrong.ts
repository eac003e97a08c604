import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { must, mustResops } from '../../_shared/shell.js';

const up = (lab: Lab) => `\`${lab.command(`up ${lab.shown(lab.courseFile)}`)}\``;

export default defineWrongAttempts([
  {
    name: 'runs a container by hand under the VM\'s name',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['run', '-d', '--name', lab.vmName(1), 'debian:bookworm-slim', 'sleep', 'infinity']);
    },
    says: (lab) => `${lab.vmName(1)} was not made from the course (it carries no labels of course ${lab.course.id} and learner ${lab.learner.id}): a machine made by hand is not your lab; remove it and run ${up(lab)}`,
    cleanup: async (lab) => {
      await must(lab, 'docker', ['rm', '-f', lab.vmName(1)]);
    },
  },
  {
    name: 'brings the lab up, then stops the VM',
    targets: ['local'],
    attempt: async (lab) => {
      await mustResops(lab, ['up', '{course}']);
      await must(lab, 'docker', ['stop', '-t', '0', lab.vmName(1)]);
    },
    says: (lab) => `${lab.vmName(1)} exists but is not running (exited): start it with ${up(lab)}`,
  },
]);
