/** Wrong attempts several steps share: the same shortcut tried wherever a VM must come from the course. */
import type { Lab, WrongAttempt } from '../../src/exercises/kit.js';
import { must } from './shell.js';

/** `resops up` as the lab's messages spell it. */
export const upCommand = (lab: Lab) => `\`${lab.command('up {course} --learner {learner}')}\``;

/** A container run by hand under the VM's name: not the VM the course describes. */
export const handMadeVm: WrongAttempt = {
  name: 'runs a container by hand under the VM\'s name',
  targets: ['local'],
  attempt: async (lab) => {
    await must(lab, 'docker', ['run', '-d', '--name', lab.vmName(1), 'debian:bookworm-slim', 'sleep', 'infinity']);
  },
  says: (lab) => `${lab.vmName(1)} was not made from the course (it carries no labels of course ${lab.course.id} and learner ${lab.learner.id}): a machine made by hand is not your lab; remove it and run ${upCommand(lab)}`,
  cleanup: async (lab) => {
    await must(lab, 'docker', ['rm', '-f', lab.vmName(1)]);
  },
};
