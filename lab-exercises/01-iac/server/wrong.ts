import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { addServer, synth } from '../iac-edit.js';

export default defineWrongAttempts([
  {
    name: 'writes the server name out instead of building it from the variable',
    attempt: async (lab) => {
      addServer(lab, { name: `'${lab.name(lab.learner.id, 'web')}'` });
      await synth(lab);
    },
    says: (lab) => `server ${lab.name(lab.learner.id, 'web')}: its name is written out ("${lab.name(lab.learner.id, 'web')}"); build it from the variable (\`${lab.course.id}-\${learner.stringValue}-web\`) so that the stack works for anyone`,
  },
  {
    name: 'puts the group\'s ID where Nova wants its name',
    attempt: async (lab) => {
      addServer(lab, { securityGroups: '[web.id]' });
      await synth(lab);
    },
    says: (lab) => `server ${lab.name(lab.learner.id, 'web')}: it is not in the web security group by name (securityGroups: [web.name], not ["\${openstack_networking_secgroup_v2.web.id}"])`,
  },
  {
    name: 'names the server differently',
    attempt: async (lab) => {
      addServer(lab, { name: `\`${lab.course.id}-\${learner.stringValue}-server\`` });
      await synth(lab);
    },
    says: (lab) => `no server named ${lab.name(lab.learner.id, 'web')}: your stack names ${lab.name(lab.learner.id, 'server')}`,
  },
]);
