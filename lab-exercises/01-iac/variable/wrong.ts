import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { setLearnerDefault, synth } from '../iac-edit.js';

export default defineWrongAttempts([
  {
    name: 'synthesizes without changing the default',
    attempt: async (lab) => {
      await synth(lab);
    },
    says: () => 'the default of variable learner_name is still "CHANGE-ME" in the synthesized stack: change it in main.ts and run `npm run synth` again',
  },
  {
    name: 'uses their name instead of their learner id',
    attempt: async (lab) => {
      setLearnerDefault(lab, lab.learner.name);
      await synth(lab);
    },
    says: (lab) => `the default of variable learner_name is ${JSON.stringify(lab.learner.name)}, not your learner id "${lab.learner.id}"`,
  },
  {
    name: 'changes main.ts after synthesizing and does not synthesize again',
    attempt: async (lab) => {
      await synth(lab);
      setLearnerDefault(lab, lab.learner.id);
    },
    says: (lab) => `main.ts changed after your last synth, so cdktf.out/stacks/web/cdk.tf.json is out of date: run \`npm run synth\` in ${lab.shown(lab.path('iac'))}`,
  },
]);
