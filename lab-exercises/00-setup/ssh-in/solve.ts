import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const wrote = await lab.ssh(`echo "hello from ${lab.learner.id}" > ~/hello.txt`);
  if (wrote.code !== 0) return lab.missing(`could not write ~/hello.txt: ${wrote.stderr.trim()}`);
});
