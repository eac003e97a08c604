import { defineSolve } from '../../../src/exercises/kit.js';

export default defineSolve(async (lab) => {
  if (lab.target === 'openstack') {
    const dir = lab.path('iac', 'cdktf.out', 'stacks', 'web');
    for (const args of [['init', '-input=false'], ['apply', '-auto-approve', '-input=false'], ['destroy', '-auto-approve', '-input=false'], ['apply', '-auto-approve', '-input=false']]) {
      const result = await lab.exec('terraform', args, { cwd: dir, timeoutMs: 20 * 60_000 });
      if (result.code !== 0) return lab.missing(`terraform ${args[0]} failed (exit ${result.code})`);
    }
    return;
  }
  const down = await lab.resops(['down', '{course}', '--learner', '{learner}']);
  if (down.code !== 0) return lab.missing(`\`resops down\` failed (exit ${down.code})`);
  const up = await lab.resops(['up', '{course}', '--learner', '{learner}']);
  if (up.code !== 0) return lab.missing(`\`resops up\` failed (exit ${up.code})`);
});
