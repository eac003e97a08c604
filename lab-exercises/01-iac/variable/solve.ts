import { defineSolve } from '../../../src/exercises/kit.js';
import { setLearnerDefault, synth } from '../iac-edit.js';

export default defineSolve(async (lab) => {
  setLearnerDefault(lab, lab.learner.id);
  await synth(lab);
});
