import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { wrongRuns } from '../porting.js';

export default defineWrongAttempts(wrongRuns('volume'));
