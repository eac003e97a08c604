import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { must, mustSsh } from '../../_shared/shell.js';
import { upCommand } from '../../_shared/wrong.js';

export default defineWrongAttempts([
  {
    name: 'fills the root disk instead of /data',
    attempt: async (lab) => {
      await mustSsh(lab, 'fallocate -l 200M /tmp/fill');
    },
    // How full /data is when Prometheus last scraped it is measured, not chosen.
    says: (lab) => new RegExp(`^no DiskNearlyFull alert for ${lab.vmName(1)} yet: Prometheus says /data is (\\d+% used|not measured yet) \\(the alert wants more than 90%\\)$`),
    cleanup: async (lab) => {
      await mustSsh(lab, 'rm -f /tmp/fill');
    },
  },
  {
    name: 'stops the VM: a dead node, not a sick one',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['stop', '-t', '0', lab.vmName(1)]);
    },
    says: (lab) => `${lab.vmName(1)} exists but is not running (exited): start it with ${upCommand(lab)}`,
  },
]);
