import { defineSolve } from '../../../src/exercises/kit.js';
import { addAddress, synth } from '../iac-edit.js';

export default defineSolve(async (lab) => {
  addAddress(lab);
  await synth(lab);
});
