import { defineCheck } from '../../../src/exercises/kit.js';
import { appliedServer, instanceIdAt, stackDir } from '../iac.js';

export default defineCheck(async (lab) => {
  if (lab.target === 'openstack') {
    const server = await appliedServer(lab);
    // Nova's clock writes whole seconds: a server made in the step's first second still counts.
    const started = Math.floor(lab.stepStartedAt.getTime() / 1000) * 1000;
    if (server.created.getTime() < started) {
      return lab.missing(`${server.name} (${server.id}) was created at ${server.created.toISOString()}, before you started this step (${lab.stepStartedAt.toISOString()}): in ${lab.shown(stackDir(lab))} run \`terraform destroy\`, then \`terraform apply\``);
    }
    const others = (await lab.cloudServerIdsNamed(server.name)).filter((id) => id !== server.id);
    if (others.length) return lab.missing(`${server.name} exists twice: ${others.join(', ')} besides ${server.id} of your state; a server Terraform lost track of is still running (and billed): delete it`);
    const rule = await lab.cloudSecurityGroupRule(lab.name(lab.learner.id, 'web'), { direction: 'ingress', protocol: 'tcp', port: 8080, remoteIpPrefix: lab.course.network.cidr });
    if (!rule.ok) return lab.missing(`${rule.detail}: the rule of step 2 is not in the cloud; apply your stack again`);
    const seen = await instanceIdAt(lab, server);
    if (seen !== server.id) return lab.missing(`the server answering SSH at ${server.address} is ${seen}, not ${server.name} (${server.id}) of your state`);
    return `${server.name} was re-created from code: a new server, ${server.id}, created at ${server.created.toISOString()}, answering SSH at ${server.address}; ${rule.detail}`;
  }
  const vm = await lab.requireVm(1);
  if (!vm.createdAt || vm.createdAt < lab.stepStartedAt) {
    return lab.missing(`${vm.name} was created at ${vm.createdAt?.toISOString() ?? '?'}, before you started this step (${lab.stepStartedAt.toISOString()}): destroy it (\`${lab.command('down {course} --learner {learner}')}\`) and apply again (\`${lab.command('up {course} --learner {learner}')}\`)`);
  }
  const hello = await lab.ssh('test -e ~/hello.txt && echo present || echo absent');
  return `${vm.name} was re-created from code at ${vm.createdAt.toISOString()}; ~/hello.txt is ${hello.stdout.trim()} (hand-made files do not survive a rebuild)`;
});
