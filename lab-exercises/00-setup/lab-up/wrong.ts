import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { must, mustResops } from '../../_shared/shell.js';
import { handMadeVm, upCommand } from '../../_shared/wrong.js';

export default defineWrongAttempts([
  handMadeVm,
  {
    name: 'brings the lab up, then stops the VM',
    targets: ['local'],
    attempt: async (lab) => {
      await mustResops(lab, ['up', '{course}']);
      await must(lab, 'docker', ['stop', '-t', '0', lab.vmName(1)]);
    },
    says: (lab) => `${lab.vmName(1)} exists but is not running (exited): start it with ${upCommand(lab)}`,
  },
]);
