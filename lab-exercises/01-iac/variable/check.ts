import { defineCheck } from '../../../src/exercises/kit.js';
import { webStack } from '../iac.js';

export default defineCheck(async (lab) => {
  const stack = webStack(lab);
  const variable = ((stack.variable ?? {}) as Record<string, { default?: unknown }>).learner_name;
  if (!variable) return lab.missing('the synthesized stack has no variable `learner_name`: did you rename or remove it?');
  if (variable.default === 'CHANGE-ME') return lab.missing('the default of variable learner_name is still "CHANGE-ME" in the synthesized stack: change it in main.ts and run `npm run synth` again');
  if (variable.default !== lab.learner.id) return lab.missing(`the default of variable learner_name is ${JSON.stringify(variable.default)}, not your learner id "${lab.learner.id}"`);
  return `variable learner_name defaults to "${lab.learner.id}" in cdktf.out/stacks/web/cdk.tf.json`;
});
