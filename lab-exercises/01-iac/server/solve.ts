import { defineSolve } from '../../../src/exercises/kit.js';
import { addServer, synth } from '../iac-edit.js';

export default defineSolve(async (lab) => {
  addServer(lab);
  await synth(lab);
});
