import { defineReset } from '../../../src/exercises/kit.js';

export default defineReset(async (lab) => {
  if ((await lab.vm(1)).running) await lab.ssh('rm -f ~/hello.txt');
  return '~/hello.txt removed';
});
