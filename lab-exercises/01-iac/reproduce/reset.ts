import { defineReset } from '../../../src/exercises/kit.js';
import { stackDir, waitForLogin, appliedServer } from '../iac.js';

/** On OpenStack the step starts with the learner's stack applied: a destroy half-way is applied again. */
export default defineReset(async (lab) => {
  if (lab.target !== 'openstack') return;
  const applied = await lab.terraform(['apply', '-auto-approve', '-input=false'], stackDir(lab));
  if (applied.code !== 0) return lab.missing(`terraform apply failed (exit ${applied.code}): run it yourself in ${lab.shown(stackDir(lab))}`);
  await waitForLogin(lab, await appliedServer(lab));
});
