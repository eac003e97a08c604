import { writeFileSync } from 'node:fs';
import { defineSolve } from '../../../src/exercises/kit.js';
import { appliedServer, instanceIdAt, stackDir, waitForLogin } from '../iac.js';

export default defineSolve(async (lab) => {
  for (const args of [['init', '-input=false'], ['apply', '-auto-approve', '-input=false']]) {
    const result = await lab.terraform(args, stackDir(lab));
    if (result.code !== 0) return lab.missing(`terraform ${args[0]} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  const server = await appliedServer(lab);
  await waitForLogin(lab, server);
  writeFileSync(lab.path('iac', 'answers.yaml'), `server_id: ${await instanceIdAt(lab, server)}\n`);
});
