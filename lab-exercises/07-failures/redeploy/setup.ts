import { defineSetup } from '../../../src/exercises/kit.js';

/** The node fails for good: what the learner has to repair from code. */
export default defineSetup(async (lab) => {
  await lab.failVm(1);
  return `${lab.vmName(1)} has failed (${lab.target === 'local' ? 'its container was removed' : 'its server was deleted'})`;
});
