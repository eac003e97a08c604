import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  const vm = await lab.vm(1);
  if (!vm.running) return lab.missing(`${vm.name} is not running (${vm.state}): redeploy it from code (\`${lab.command('up {course} --learner {learner}')}\`)`);
  // A machine started by hand under the VM's name is not the node the course describes.
  if (!vm.managed) await lab.requireVm(1);
  if (lab.course.monitoring.enabled) {
    const up = (await lab.prometheusQuery(`up{job="node", learner="${lab.learner.id}", vm="vm1"}`))[0];
    if (!up || up.value !== 1) return lab.missing(`${vm.name} runs again, but Prometheus does not see it up yet (up = ${up?.value ?? 'no series'}): wait for the next scrape (15 s)`);
  }
  return `${vm.name} is back (${vm.state}) and Prometheus scrapes it: up == 1`;
});
