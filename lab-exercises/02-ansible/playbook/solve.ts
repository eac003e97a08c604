import { writeFileSync } from 'node:fs';
import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const file = lab.path('ansible', 'site.yml');
  writeFileSync(file, `---
- name: Configure my lab VM
  hosts: learner_${lab.learner.id}
  become: true
  tasks:
    - name: Lab directory
      ansible.builtin.file:
        path: /opt/lab
        state: directory
        mode: "0755"

    - name: Who owns this VM
      ansible.builtin.copy:
        dest: /opt/lab/owner
        content: "${lab.learner.id}\\n"
        mode: "0644"
`);
  const run = await lab.ansiblePlaybook(file);
  if (!run.ok) return lab.missing(`the playbook failed: ${run.failed.join('; ')}`);
});
