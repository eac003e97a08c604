import { writeFileSync } from 'node:fs';
import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { webPlaybook, webPlaybookFile, webServer, writeWebInventory } from '../web-server.js';

export default defineWrongAttempts([
  {
    name: 'installs nginx with a shell command',
    attempt: async (lab) => {
      writeFileSync(webPlaybookFile(lab), webPlaybook(lab, { install: 'shell' }));
    },
    says: (lab) => `${lab.shown(webPlaybookFile(lab))} installs nginx with shell ("apt-get install -y nginx"): use ansible.builtin.package (name: nginx, state: present), which installs it only when it is missing`,
  },
  {
    name: 'leaves the service to the package\'s own start',
    attempt: async (lab) => {
      writeFileSync(webPlaybookFile(lab), webPlaybook(lab, { service: false }));
    },
    says: (lab) => `${lab.shown(webPlaybookFile(lab))} has no ansible.builtin.service task for nginx (state: started, enabled: true): a package's own start is not a configuration`,
  },
  {
    name: 'serves nginx\'s default page',
    attempt: async (lab) => {
      writeFileSync(webPlaybookFile(lab), webPlaybook(lab, { page: false }));
      await lab.ansiblePlaybook(webPlaybookFile(lab), { inventory: writeWebInventory(lab, await webServer(lab)) });
    },
    says: async (lab) => {
      if (lab.target === 'openstack') return `${lab.name(lab.learner.id, 'web')} has no rule allowing ingress tcp port 80 from ${lab.course.cloud.sshAllowedCidrs.join(' or ')} (cloud.ssh_allowed_cidrs, where the class's browsers are): add one to your stack in ${lab.shown(lab.path('iac', 'main.ts'))}, synthesize and \`terraform apply\``;
      return `the page at http://${(await webServer(lab)).address}/ does not name you ("${lab.learner.id}"): it is nginx's default page; copy a page that does to /var/www/html/index.html`;
    },
  },
]);
