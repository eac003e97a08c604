import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { addRule, synth } from '../iac-edit.js';

export default defineWrongAttempts([
  {
    name: 'names the group where its ID belongs (web.name)',
    attempt: async (lab) => {
      addRule(lab, { securityGroupId: 'web.name' });
      await synth(lab);
    },
    says: () => "your 8080 rule's securityGroupId is ${openstack_networking_secgroup_v2.web.name}, not the web group's ID: set securityGroupId: web.id",
  },
  {
    name: 'opens 8080–8081',
    attempt: async (lab) => {
      addRule(lab, { portRangeMax: '8081' });
      await synth(lab);
    },
    says: () => 'your rule opens TCP 8080–8081, more than port 8080: set portRangeMin and portRangeMax both to 8080',
  },
  {
    name: 'opens 8080 to the world',
    attempt: async (lab) => {
      addRule(lab, { remoteIpPrefix: "'0.0.0.0/0'" });
      await synth(lab);
    },
    says: (lab) => `your 8080 rule admits 0.0.0.0/0: restrict it to the course network ${lab.course.network.cidr}`,
  },
]);
