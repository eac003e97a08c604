import { defineSolve } from '../../../src/exercises/kit.js';
import { writeQuery } from '../promql.js';

export default defineSolve(async (lab) => {
  writeQuery(lab, 'monitoring/my-vms.promql', `node_load1{learner="${lab.learner.id}"}`);
});
