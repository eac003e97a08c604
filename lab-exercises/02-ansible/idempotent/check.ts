import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  const file = lab.path('ansible', 'site.yml');
  if (lab.read('ansible', 'site.yml') === undefined) return lab.missing(`no playbook at ${lab.shown(file)}`);
  await lab.requireVm(1);
  const run = await lab.ansiblePlaybook(file);
  if (!run.ok) return lab.missing(`your playbook fails: ${run.failed.join('; ') || 'see ansible-playbook output'}`);
  if (run.changed > 0) return lab.missing(`running your playbook again changed ${run.changed} task(s): ${[...new Set(run.changedTasks)].join(', ')} — an idempotent playbook changes nothing on a VM already configured`);
  const log = await lab.ssh('grep -c "configured by ansible" /opt/lab/runs.log');
  if (log.code !== 0) return lab.missing(`/opt/lab/runs.log on ${lab.vmName(1)} has no line "configured by ansible": keep what the task did, only make it idempotent`);
  return `a run of ${lab.shown(file)} changed nothing (changed=0), and /opt/lab/runs.log has the line`;
});
