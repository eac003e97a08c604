import { rmSync } from 'node:fs';
import { defineReset } from '../../../src/exercises/kit.js';

export default defineReset(async (lab) => {
  rmSync(lab.path('ansible', 'site.yml'), { force: true });
  if ((await lab.vm(1)).running) await lab.ssh('sudo rm -rf /opt/lab');
  return 'site.yml and /opt/lab removed';
});
