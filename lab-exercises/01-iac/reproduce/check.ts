import { defineCheck } from '../../../src/exercises/kit.js';

export default defineCheck(async (lab) => {
  if (lab.target === 'openstack') {
    const server = await lab.cloudServer(lab.name(lab.learner.id, 'web'));
    if (!server.ok) return lab.missing(`${server.detail}: apply your stack (terraform apply in cdktf.out/stacks/web)`);
    const rule = await lab.cloudSecurityGroupRule(lab.name(lab.learner.id, 'web'), { direction: 'ingress', protocol: 'tcp', port: 8080, remoteIpPrefix: lab.course.network.cidr });
    if (!rule.ok) return lab.missing(`${rule.detail}: the rule of step 2 is not in the cloud; apply your stack again`);
    return `${server.detail}; ${rule.detail}`;
  }
  const vm = await lab.requireVm(1);
  if (!vm.createdAt || vm.createdAt < lab.stepStartedAt) {
    return lab.missing(`${vm.name} was created at ${vm.createdAt?.toISOString() ?? '?'}, before you started this step (${lab.stepStartedAt.toISOString()}): destroy it (\`${lab.command('down {course} --learner {learner}')}\`) and apply again (\`${lab.command('up {course} --learner {learner}')}\`)`);
  }
  const hello = await lab.ssh('test -e ~/hello.txt && echo present || echo absent');
  return `${vm.name} was re-created from code at ${vm.createdAt.toISOString()}; ~/hello.txt is ${hello.stdout.trim()} (hand-made files do not survive a rebuild)`;
});
