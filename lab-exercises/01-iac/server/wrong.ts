import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { addServer, synth } from '../iac-edit.js';

const SOMEONE_ELSE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFCVaYyRc7jp4c9ToavgICgR8SY3XAAt5aaM9TmGHuP someone@else';

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
    name: 'puts the group\'s name where Neutron wants its ID',
    attempt: async (lab) => {
      addServer(lab, {}, {}, { securityGroupIds: '[web.name]' });
      await synth(lab);
    },
    says: () => 'port port is not in the web security group by ID (securityGroupIds: [web.id], not ["${openstack_networking_secgroup_v2.web.name}"])',
  },
  {
    name: 'puts the server on the network directly, with no port for the address',
    attempt: async (lab) => {
      addServer(lab, { network: '[{ name: network.name }]', securityGroups: '[web.name]' });
      await synth(lab);
    },
    says: (lab) => `server ${lab.name(lab.learner.id, 'web')}: it is not on a port of your stack (network: [{ port: port.id }], not [{"name":"\${data.openstack_networking_network_v2.network.name}"}]); it names security groups itself: on a port, the groups are the port's (securityGroupIds on the NetworkingPortV2), so leave securityGroups out`,
  },
  {
    name: 'names the server differently',
    attempt: async (lab) => {
      addServer(lab, { name: `\`${lab.course.id}-\${learner.stringValue}-server\`` });
      await synth(lab);
    },
    says: (lab) => `no server named ${lab.name(lab.learner.id, 'web')}: your stack names ${lab.name(lab.learner.id, 'server')}`,
  },
  {
    name: 'forgets the key pair, so nobody can log in',
    attempt: async (lab) => {
      addServer(lab, { keyPair: null });
      await synth(lab);
    },
    says: (lab) => `server ${lab.name(lab.learner.id, 'web')} has no key pair (keyPair): add a ComputeKeypairV2 with your public key (sshKey.stringValue) and give the server \`keyPair: key.name\``,
  },
  {
    name: 'pastes somebody else\'s public key',
    attempt: async (lab) => {
      addServer(lab, {}, { publicKey: `'${SOMEONE_ELSE}'` });
      await synth(lab);
    },
    says: () => `key pair key holds "${SOMEONE_ELSE.slice(0, 40)}…", not your public key: set publicKey: sshKey.stringValue`,
  },
]);
