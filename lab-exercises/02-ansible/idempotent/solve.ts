import { readFileSync } from 'node:fs';
import { defineSolve } from '../../../src/exercises/kit.js';
import { siteFile, writeSite } from '../playbooks.js';

export default defineSolve(async (lab) => {
  const text = readFileSync(siteFile(lab), 'utf8').replace(
    /ansible\.builtin\.shell: echo "configured by ansible" >> \/opt\/lab\/runs\.log/,
    'ansible.builtin.lineinfile:\n        path: /opt/lab/runs.log\n        line: configured by ansible\n        create: true\n        mode: "0644"',
  );
  writeSite(lab, text);
  const run = await lab.ansiblePlaybook(siteFile(lab));
  if (!run.ok) return lab.missing(`the playbook failed: ${run.failed.join('; ')}`);
});
