import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { must, mustResops } from '../../_shared/shell.js';
import { appliedServer, stackDir } from '../iac.js';

async function tooOld(lab: Lab): Promise<string> {
  const vm = await lab.vm(1);
  return `${vm.name} was created at ${vm.createdAt?.toISOString() ?? '?'}, before you started this step (${lab.stepStartedAt.toISOString()}): destroy it (\`${lab.command('down {course} --learner {learner}')}\`) and apply again (\`${lab.command('up {course} --learner {learner}')}\`)`;
}

export default defineWrongAttempts([
  {
    name: 'restarts the VM instead of re-creating it',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['restart', '-t', '0', lab.vmName(1)]);
    },
    says: tooOld,
  },
  {
    name: 'applies again without destroying first',
    targets: ['local'],
    attempt: async (lab) => {
      await mustResops(lab, ['up', '{course}']);
    },
    says: tooOld,
  },
  {
    name: 'applies again without destroying first (terraform apply)',
    targets: ['openstack'],
    attempt: async (lab) => {
      await lab.terraform(['apply', '-auto-approve', '-input=false'], stackDir(lab));
    },
    says: async (lab) => {
      const server = await appliedServer(lab);
      return `${server.name} (${server.id}) was created at ${server.created.toISOString()}, before you started this step (${lab.stepStartedAt.toISOString()}): in ${lab.shown(stackDir(lab))} run \`terraform destroy\`, then \`terraform apply\``;
    },
  },
  {
    name: 'destroys, and stops there',
    targets: ['openstack'],
    attempt: async (lab) => {
      await lab.terraform(['destroy', '-auto-approve', '-input=false'], stackDir(lab));
    },
    says: (lab) => `your stack has made no server yet (its state in ${lab.shown(stackDir(lab))} holds none): run \`terraform apply\` there`,
  },
]);
