import { readFileSync, writeFileSync } from 'node:fs';
import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  const file = lab.path('ansible', 'site.yml');
  const text = readFileSync(file, 'utf8').replace(
    /ansible\.builtin\.shell: echo "configured by ansible" >> \/opt\/lab\/runs\.log/,
    'ansible.builtin.lineinfile:\n        path: /opt/lab/runs.log\n        line: configured by ansible\n        create: true\n        mode: "0644"',
  );
  writeFileSync(file, text);
  const run = await lab.ansiblePlaybook(file);
  if (!run.ok) return lab.missing(`the playbook failed: ${run.failed.join('; ')}`);
});
