import { mkdirSync } from 'node:fs';
import { defineSetup } from '../../../src/exercises/kit.js';

/** The learner's Ansible directory and an inventory of the course, as `resops inventory` writes it. */
export default defineSetup(async (lab) => {
  mkdirSync(lab.path('ansible'), { recursive: true });
  const inventory = await lab.resops(['inventory', '{course}', '--as-learner', '--learner', '{learner}', '--out', lab.path('ansible', 'inventory.yml')], { timeoutMs: 120_000 });
  if (inventory.code !== 0) return `could not write the inventory (is the lab up?): run \`${lab.command(`inventory {course} --as-learner --learner {learner} --key <your key> --out ${lab.shown(lab.path('ansible', 'inventory.yml'))}`)}\` yourself`;
  return `inventory written to ${lab.shown(lab.path('ansible', 'inventory.yml'))}`;
});
