/** The playbooks the solutions and the wrong attempts of this exercise write. */
import { writeFileSync } from 'node:fs';
import type { Lab } from '../../src/exercises/kit.js';

export const siteFile = (lab: Lab) => lab.path('ansible', 'site.yml');

/** The step's playbook: /opt/lab, and `owner` written into `dest`. */
export function ownerPlaybook(lab: Lab, options: { dest?: string; owner?: string } = {}): string {
  return `---
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
        dest: ${options.dest ?? '/opt/lab/owner'}
        content: ${JSON.stringify(`${options.owner ?? lab.learner.id}\n`)}
        mode: "0644"
`;
}

export function writeSite(lab: Lab, text: string): void {
  writeFileSync(siteFile(lab), text);
}
