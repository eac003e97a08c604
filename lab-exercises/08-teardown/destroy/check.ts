import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  const left = await lab.leftovers();
  if (left.length) return lab.missing(`${left.length} object(s) of course ${lab.course.id} still there: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''} — run \`${lab.command('down {course}')}\``);
  return `nothing labelled with course ${lab.course.id} is left on the ${lab.target} target`;
});
