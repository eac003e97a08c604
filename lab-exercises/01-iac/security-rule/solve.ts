import { defineSolve } from '../../../src/exercises/kit.js';
import { addRule, synth } from '../iac-edit.js';

export default defineSolve(async (lab) => {
  addRule(lab);
  await synth(lab);
});
