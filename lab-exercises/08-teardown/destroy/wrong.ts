import { defineWrongAttempts, type Lab } from '../../../src/exercises/kit.js';
import { must } from '../../_shared/shell.js';

/** The learner's own containers: the ones `docker ps` shows with their labels. */
async function courseContainers(lab: Lab): Promise<string[]> {
  const listed = await lab.exec('docker', ['ps', '-aq', '--filter', `label=resops.course=${lab.course.id}`, '--filter', `label=resops.learner=${lab.learner.id}`], { quiet: true });
  return listed.stdout.split('\n').filter(Boolean);
}

async function stillThere(lab: Lab): Promise<string> {
  const left = await lab.leftovers();
  return `${left.length} object(s) of your lab (learner ${lab.learner.id}) still there: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''} — run \`${lab.command('down {course} --learner {learner}')}\``;
}

export default defineWrongAttempts([
  {
    name: 'removes the containers by hand and forgets networks and volumes',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['rm', '-f', ...(await courseContainers(lab))]);
    },
    says: stillThere,
  },
  {
    name: 'stops everything instead of destroying it',
    targets: ['local'],
    attempt: async (lab) => {
      await must(lab, 'docker', ['stop', '-t', '0', ...(await courseContainers(lab))]);
    },
    says: stillThere,
  },
  {
    name: 'runs down, forgetting the stack they wrote in exercise 01',
    targets: ['openstack'],
    attempt: async (lab) => {
      // Their own stack's server is left either way: `down` refuses at once when its port sits on
      // their subnet, and destroys their lab around it when Neutron put the port on another.
      await lab.resops(['down', '{course}', '--learner', '{learner}']);
    },
    says: stillThere,
  },
]);
