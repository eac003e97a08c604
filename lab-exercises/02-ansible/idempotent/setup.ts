import { appendFileSync, existsSync } from 'node:fs';
import { defineSetup } from '../../../src/exercises/kit.js';

/** A task that changes something on every run, added to the learner's playbook. */
export default defineSetup(async (lab) => {
  const file = lab.path('ansible', 'site.yml');
  if (!existsSync(file)) return 'your playbook is missing: finish the previous step first';
  appendFileSync(file, `
    - name: Record that Ansible configured this VM
      ansible.builtin.shell: echo "configured by ansible" >> /opt/lab/runs.log
`);
  return `a task "Record that Ansible configured this VM" was added to ${lab.shown(file)}`;
});
