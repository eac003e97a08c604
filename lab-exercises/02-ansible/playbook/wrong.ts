import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { ownerPlaybook, siteFile, writeSite } from '../playbooks.js';
import { mustSsh } from '../../_shared/shell.js';

export default defineWrongAttempts([
  {
    name: 'makes the file by hand over SSH, with a playbook that does something else',
    attempt: async (lab) => {
      await mustSsh(lab, `sudo mkdir -p /opt/lab && echo ${lab.learner.id} | sudo tee /opt/lab/owner`);
      writeSite(lab, `---\n- name: Configure my lab VM\n  hosts: learner_${lab.learner.id}\n  tasks:\n    - name: Is it there\n      ansible.builtin.ping:\n`);
    },
    says: (lab) => `the check removed /opt/lab from ${lab.vmName(1)} and ran your playbook: it did not create /opt/lab/owner`,
  },
  {
    name: 'writes the right content in the wrong place',
    attempt: async (lab) => {
      writeSite(lab, ownerPlaybook(lab, { dest: '/opt/lab/owner.txt' }));
      await lab.ansiblePlaybook(siteFile(lab));
    },
    says: (lab) => `the check removed /opt/lab from ${lab.vmName(1)} and ran your playbook: it did not create /opt/lab/owner`,
  },
  {
    name: 'writes the learner\'s name, not their id',
    attempt: async (lab) => {
      writeSite(lab, ownerPlaybook(lab, { owner: lab.learner.name }));
    },
    says: (lab) => `/opt/lab/owner on ${lab.vmName(1)} says ${JSON.stringify(lab.learner.name)}, not "${lab.learner.id}"`,
  },
]);
