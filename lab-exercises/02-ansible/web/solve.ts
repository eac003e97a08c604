import { writeFileSync } from 'node:fs';
import { defineSolve } from '../../../src/exercises/kit.js';
import { addPageRule, synth } from '../../01-iac/iac-edit.js';
import { stackDir } from '../../01-iac/iac.js';
import { webPlaybook, webPlaybookFile, webServer, writeWebInventory } from '../web-server.js';

export default defineSolve(async (lab) => {
  writeFileSync(webPlaybookFile(lab), webPlaybook(lab));
  const server = await webServer(lab);
  const run = await lab.ansiblePlaybook(webPlaybookFile(lab), { inventory: writeWebInventory(lab, server) });
  if (!run.ok) return lab.missing(`the playbook failed: ${run.failed.join('; ')}`);
  if (lab.target === 'openstack') {
    addPageRule(lab);
    await synth(lab);
    const applied = await lab.terraform(['apply', '-auto-approve', '-input=false'], stackDir(lab));
    if (applied.code !== 0) return lab.missing(`terraform apply failed (exit ${applied.code}): ${applied.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
});
