import { writeFileSync } from 'node:fs';
import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { appliedServer, stackDir } from '../iac.js';

export default defineWrongAttempts([
  {
    name: 'initialises, but never applies',
    targets: ['openstack'],
    attempt: async (lab) => {
      await lab.terraform(['init', '-input=false'], stackDir(lab));
    },
    says: (lab) => `your stack has made no server yet (its state in ${lab.shown(stackDir(lab))} holds none): run \`terraform apply\` there`,
  },
  {
    name: 'applies, and writes the server\'s name where its ID belongs',
    targets: ['openstack'],
    attempt: async (lab) => {
      for (const args of [['init', '-input=false'], ['apply', '-auto-approve', '-input=false']]) await lab.terraform(args, stackDir(lab));
      writeFileSync(lab.path('iac', 'answers.yaml'), `server_id: ${lab.name(lab.learner.id, 'web')}\n`);
    },
    says: async (lab) => {
      const server = await appliedServer(lab);
      return `server_id in ${lab.shown(lab.path('iac', 'answers.yaml'))} is "${server.name}", not the ID of the server your stack made: log in to ${lab.course.cloud.imageUser}@${server.address} and read /var/lib/cloud/data/instance-id`;
    },
  },
]);
