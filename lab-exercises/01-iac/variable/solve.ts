import { defineSolve } from '../../../src/exercises/kit.js';
import { editMain, synth } from '../iac-edit.js';

export default defineSolve(async (lab) => {
  editMain(lab, (text) => text.replace(/default: '[^']*', description: 'your learner id/, `default: '${lab.learner.id}', description: 'your learner id`));
  await synth(lab);
});
