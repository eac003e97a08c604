import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  const left = await lab.leftovers();
  if (left.length) return lab.missing(`${left.length} object(s) of your lab (learner ${lab.learner.id}) still there: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''} — run \`${lab.command('down {course} --learner {learner}')}\``);
  return `nothing of your lab (learner ${lab.learner.id}) is left on the ${lab.target} target; the course's shared parts stay for the others`;
});
