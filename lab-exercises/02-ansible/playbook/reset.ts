import { defineReset } from '../../../src/exercises/kit.js';

/** site.yml comes back as it was by itself (exercise.yaml `files:`); the VM loses /opt/lab. */
export default defineReset(async (lab) => {
  if ((await lab.vm(1)).running) await lab.ssh('sudo rm -rf /opt/lab');
  return '/opt/lab removed';
});
