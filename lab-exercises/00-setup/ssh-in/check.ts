import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  await lab.requireVm(1);
  const read = await lab.ssh('cat ~/hello.txt');
  if (read.code !== 0) return lab.missing(`~/hello.txt does not exist on ${lab.vmName(1)}: log in with \`${lab.vars().ssh}\` and create it`);
  if (!read.stdout.includes(lab.learner.id)) return lab.missing(`~/hello.txt on ${lab.vmName(1)} does not mention your learner id "${lab.learner.id}" (it says: ${JSON.stringify(read.stdout.trim().slice(0, 80))})`);
  return `~/hello.txt on ${lab.vmName(1)} says ${JSON.stringify(read.stdout.trim().slice(0, 80))}`;
});
