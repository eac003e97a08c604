import { readFileSync } from 'node:fs';
import { defineWrongAttempts } from '../../../src/exercises/kit.js';
import { siteFile, writeSite } from '../playbooks.js';

const TASK = /\n\s*- name: Record that Ansible configured this VM\n\s*ansible\.builtin\.shell: [^\n]*\n/;

export default defineWrongAttempts([
  {
    name: 'hides the change with changed_when: false',
    attempt: async (lab) => {
      const text = readFileSync(siteFile(lab), 'utf8');
      writeSite(lab, text.replace(/(ansible\.builtin\.shell: echo "configured by ansible" >> \/opt\/lab\/runs\.log\n)/, '$1      changed_when: false\n'));
    },
    says: () => 'a second run of your playbook still appends to /opt/lab/runs.log (1 line(s) after the first run, 2 after the second), and Ansible reported changed=0: the task must leave the file alone when the line is there',
  },
  {
    name: 'deletes the task',
    attempt: async (lab) => {
      writeSite(lab, `${readFileSync(siteFile(lab), 'utf8').replace(TASK, '\n').trimEnd()}\n`);
    },
    says: (lab) => `the check removed /opt/lab/runs.log from ${lab.vmName(1)} and ran your playbook: it did not write the line "configured by ansible" — keep what the task did, only make it idempotent`,
  },
]);
