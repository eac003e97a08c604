import { parse } from 'yaml';
import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  const text = lab.read('ansible', 'site.yml');
  const file = lab.shown(lab.path('ansible', 'site.yml'));
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
  await lab.requireVm(1);
  const owner = await lab.ssh('cat /opt/lab/owner');
  if (owner.code !== 0) return lab.missing(`/opt/lab/owner does not exist on ${lab.vmName(1)}: run your playbook (ansible-playbook -i inventory.yml site.yml)`);
  if (owner.stdout.trim() !== lab.learner.id) return lab.missing(`/opt/lab/owner on ${lab.vmName(1)} says ${JSON.stringify(owner.stdout.trim())}, not "${lab.learner.id}"`);
  return `${file} is a playbook, and /opt/lab/owner on ${lab.vmName(1)} says "${lab.learner.id}"`;
});
