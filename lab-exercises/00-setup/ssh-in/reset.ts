import { defineReset } from '../../../src/exercises/kit.js';

export default defineReset(async (lab) => {
  // sudo: a file written as root in the learner's home is the learner's to lose too.
  if ((await lab.vm(1)).running) await lab.ssh('sudo rm -f ~/hello.txt');
  return '~/hello.txt removed';
});
