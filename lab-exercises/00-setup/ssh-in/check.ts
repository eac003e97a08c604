import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  await lab.requireVm(1);
  const read = await lab.ssh('cat ~/hello.txt && stat -c %U ~/hello.txt');
  if (read.code !== 0) return lab.missing(`~/hello.txt does not exist on ${lab.vmName(1)}: log in with \`${lab.vars().ssh}\` and create it`);
  const lines = read.stdout.trimEnd().split('\n');
  const owner = lines.pop()!;
  const text = lines.join('\n').trim();
  if (!text.includes(lab.learner.id)) return lab.missing(`~/hello.txt on ${lab.vmName(1)} does not mention your learner id "${lab.learner.id}" (it says: ${JSON.stringify(text.slice(0, 80))})`);
  // Written by the learner, logged in over SSH: not by root from outside the VM.
  if (owner !== lab.learner.id) return lab.missing(`~/hello.txt on ${lab.vmName(1)} belongs to ${owner}, not to you (${lab.learner.id}): log in as ${lab.learner.id} with \`${lab.vars().ssh}\` and create it there`);
  return `~/hello.txt on ${lab.vmName(1)} says ${JSON.stringify(text.slice(0, 80))}`;
});
