import { defineSolve } from '../../../src/exercises/kit.js';
import { ownerPlaybook, siteFile, writeSite } from '../playbooks.js';

export default defineSolve(async (lab) => {
  writeSite(lab, ownerPlaybook(lab));
  const run = await lab.ansiblePlaybook(siteFile(lab));
  if (!run.ok) return lab.missing(`the playbook failed: ${run.failed.join('; ')}`);
});
