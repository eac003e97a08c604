import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { must, mustSsh } from '../../_shared/shell.js';

export default defineWrongAttempts([
  {
    name: 'writes a greeting without the learner id',
    attempt: async (lab) => {
      await mustSsh(lab, 'echo hello > ~/hello.txt');
    },
    says: (lab) => `~/hello.txt on ${lab.vmName(1)} does not mention your learner id "${lab.learner.id}" (it says: "hello")`,
  },
  {
    name: 'writes the file with docker exec instead of logging in',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['exec', lab.vmName(1), 'sh', '-c', `echo "hello from ${lab.learner.id}" > /home/${lab.learner.id}/hello.txt`]);
    },
    says: (lab) => `~/hello.txt on ${lab.vmName(1)} belongs to root, not to you (${lab.learner.id}): log in as ${lab.learner.id} with \`${lab.vars().ssh}\` and create it there`,
  },
  {
    name: 'writes the file in /tmp',
    attempt: async (lab) => {
      await mustSsh(lab, `echo "hello from ${lab.learner.id}" > /tmp/hello.txt`);
    },
    says: (lab) => `~/hello.txt does not exist on ${lab.vmName(1)}: log in with \`${lab.vars().ssh}\` and create it`,
    cleanup: async (lab) => {
      await mustSsh(lab, 'rm -f /tmp/hello.txt');
    },
  },
]);
