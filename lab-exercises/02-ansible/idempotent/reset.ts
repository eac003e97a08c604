import { defineReset } from '../../../src/exercises/kit.js';

/** site.yml comes back as it was by itself (exercise.yaml `files:`); the VM loses the step's log. */
export default defineReset(async (lab) => {
  if ((await lab.vm(1)).running) await lab.ssh('sudo rm -f /opt/lab/runs.log');
  return '/opt/lab/runs.log removed';
});
