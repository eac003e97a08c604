import { parse } from 'yaml';
import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  const path = lab.path('ansible', 'site.yml');
  const text = lab.read('ansible', 'site.yml');
  const file = lab.shown(path);
  if (text === undefined) return lab.missing(`no playbook at ${file} yet`);
  let plays: unknown;
  try {
    plays = parse(text);
  } catch (error) {
    lab.missing(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(plays) || !plays.length || !plays.every((p) => typeof p === 'object' && p !== null && 'hosts' in p)) {
    lab.missing(`${file} is not a playbook: a YAML list of plays, each with \`hosts:\` and \`tasks:\``);
  }
  const vm = lab.vmName(1);
  await lab.requireVm(1);
  // The file must come from the playbook, not from an earlier run by hand: the check starts from
  // a VM without /opt/lab and runs the learner's playbook itself.
  const cleared = await lab.ssh('sudo rm -rf /opt/lab');
  if (cleared.code !== 0) return lab.missing(`could not clear /opt/lab on ${vm} before running your playbook: ${cleared.stderr.trim()}`);
  const run = await lab.ansiblePlaybook(path);
  if (!run.ok) return lab.missing(`your playbook fails: ${run.failed.join('; ') || 'see the ansible-playbook output above'}`);
  const owner = await lab.ssh('cat /opt/lab/owner');
  if (owner.code !== 0) return lab.missing(`the check removed /opt/lab from ${vm} and ran your playbook: it did not create /opt/lab/owner`);
  if (owner.stdout.trim() !== lab.learner.id) return lab.missing(`/opt/lab/owner on ${vm} says ${JSON.stringify(owner.stdout.trim())}, not "${lab.learner.id}"`);
  return `${file} makes /opt/lab/owner on ${vm} saying "${lab.learner.id}" (run by the check on a VM without /opt/lab)`;
});
