import { defineCheck, type Lab } from '../../../src/exercises/kit.js';

const LINE = 'configured by ansible';

/** Lines of runs.log holding the line (0 when the file is missing). */
async function lines(lab: Lab): Promise<number> {
  const count = await lab.ssh(`sudo grep -c '${LINE}' /opt/lab/runs.log`);
  return Number(count.stdout.trim()) || 0;
}

export default defineCheck(async (lab) => {
  const file = lab.path('ansible', 'site.yml');
  if (lab.read('ansible', 'site.yml') === undefined) return lab.missing(`no playbook at ${lab.shown(file)}`);
  await lab.requireVm(1);
  // Idempotence of the effect, not of Ansible's report: from a VM without runs.log, a first run
  // must write the line, and a second must leave the file as it was and report nothing changed.
  await lab.ssh('sudo rm -f /opt/lab/runs.log');
  const first = await lab.ansiblePlaybook(file);
  if (!first.ok) return lab.missing(`your playbook fails: ${first.failed.join('; ') || 'see the ansible-playbook output above'}`);
  const afterFirst = await lines(lab);
  if (afterFirst === 0) return lab.missing(`the check removed /opt/lab/runs.log from ${lab.vmName(1)} and ran your playbook: it did not write the line "${LINE}" — keep what the task did, only make it idempotent`);
  const second = await lab.ansiblePlaybook(file);
  if (!second.ok) return lab.missing(`your playbook fails on its second run: ${second.failed.join('; ') || 'see the ansible-playbook output above'}`);
  const afterSecond = await lines(lab);
  if (afterSecond !== afterFirst) {
    return lab.missing(`a second run of your playbook still appends to /opt/lab/runs.log (${afterFirst} line(s) after the first run, ${afterSecond} after the second), and Ansible reported changed=${second.changed}: the task must leave the file alone when the line is there`);
  }
  if (second.changed > 0) return lab.missing(`running your playbook again changed ${second.changed} task(s): ${[...new Set(second.changedTasks)].join(', ')} — an idempotent playbook changes nothing on a VM already configured`);
  return `${lab.shown(file)} run twice: the line is written once, and the second run changed nothing (changed=0)`;
});
