import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { addAddress, synth } from '../iac-edit.js';

export default defineWrongAttempts([
  {
    name: 'outputs the server\'s fixed address, which only the course network reaches',
    attempt: async (lab) => {
      addAddress(lab, { output: 'server.accessIpV4' });
      await synth(lab);
    },
    says: () => 'output address is "${openstack_compute_instance_v2.server.access_ip_v4}", not the floating IP\'s address (value: address.address): that is not where anyone outside the cloud can reach the server',
  },
  {
    name: 'takes the floating IP from the course\'s own network',
    attempt: async (lab) => {
      addAddress(lab, { pool: 'network.name' });
      await synth(lab);
    },
    says: (lab) => `floating IP floating-ip comes from pool "\${data.openstack_networking_network_v2.network.name}", not from the external network ${lab.course.cloud.externalNetwork}: only there do addresses reach the outside`,
  },
  {
    name: 'gives the address to the security group instead of the server\'s port',
    attempt: async (lab) => {
      addAddress(lab, { portId: 'web.id' });
      await synth(lab);
    },
    says: (lab) => `the floating IP goes to port "\${openstack_networking_secgroup_v2.web.id}", not to the port of server ${lab.name(lab.learner.id, 'web')} (portId: port.id)`,
  },
]);
