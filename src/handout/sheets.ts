/**
 * What a learner is handed on class day, and the instructor's overview: how to log in to each of
 * their machines, where the monitoring is, their own monitoring login (in a file of its own, never in
 * the sheet), and the first exercise command. Pure: computed from the course and its inventory
 * (both targets), so a test can check it without a class.
 */
import type { Course, Learner } from '../course/model.js';
import type { Inventory, InventoryHost } from '../ansible/inventory.js';

export interface MonitoringUrls {
  prometheus: string;
  gnocchi: string;
}

export interface HandoutInput {
  course: Course;
  /** The course's inventory as learners log in (`buildInventory(…, { login: 'learner' })`). */
  inventory: Inventory;
  /** Undefined when the course has no monitoring, or its host is not up. */
  monitoring?: MonitoringUrls;
  /** How learners run the toolkit (`resops`, or `node …/bin/resops.mjs`). */
  resops: string;
  /** The course file as learners name it in commands. */
  courseFile: string;
  /** Learners who have their own cloud account (`resops accounts create`): id → its clouds.yaml file name and entry. */
  cloudAccounts?: Record<string, { file: string; cloud: string }>;
}

export interface LearnerMachine {
  name: string;
  /** The command that logs the learner in: the inventory's address, port and user. */
  ssh: string;
}

export const netrcFileName = (learner: Pick<Learner, 'id'>) => `${learner.id}.monitoring.netrc`;
export const sheetFileName = (learner: Pick<Learner, 'id'>) => `${learner.id}.md`;
export const INSTRUCTOR_SHEET = 'instructor.md';

export function sshCommand(host: InventoryHost): string {
  const address = String(host.vars.ansible_host ?? '?');
  const port = Number(host.vars.ansible_port ?? 22);
  const user = String(host.vars.ansible_user ?? '?');
  return `ssh ${port === 22 ? '' : `-p ${port} `}${user}@${address}`;
}

export function learnerMachines(input: HandoutInput, learner: Pick<Learner, 'id'>): LearnerMachine[] {
  return input.inventory.hosts
    .filter((h) => h.group === 'learners' && h.learner === learner.id)
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
    .map((h) => ({ name: h.name, ssh: sshCommand(h) }));
}

function dates(course: Course): string {
  if (course.start && course.end) return `, ${course.start} to ${course.end}`;
  return course.start ? `, from ${course.start}` : course.end ? `, until ${course.end}` : '';
}

export function learnerSheet(input: HandoutInput, learner: Learner): string {
  const { course } = input;
  const machines = learnerMachines(input, learner);
  const lines = [
    `# ${course.title}: ${learner.name}`,
    '',
    `Course \`${course.id}\` (${course.target === 'local' ? 'on this machine' : 'on the OpenStack cloud'}${dates(course)}).`,
    `Your user name on every machine is \`${learner.id}\`; SSH takes the key whose public half you gave (add \`-i <your private key>\` when it is not your default one).`,
    '',
    '## Your machines',
    '',
  ];
  if (machines.length) {
    lines.push('| machine | log in with |', '|---|---|', ...machines.map((m) => `| ${m.name} | \`${m.ssh}\` |`));
  } else {
    lines.push('None yet: your instructor has not started your lab (exercise 00 does it with `up --learner`).');
  }
  lines.push('');
  if (input.monitoring) {
    lines.push(
      '## Monitoring',
      '',
      `- Your monitoring login, for Prometheus and Gnocchi alike: you are \`${learner.id}\`; your password is in \`${netrcFileName(learner)}\`, handed to you with this sheet. Keep it private.`,
      `- Prometheus: ${input.monitoring.prometheus} (the browser asks for the login; from a terminal: \`curl --netrc-file ${netrcFileName(learner)} '${input.monitoring.prometheus}/api/v1/query?query=up'\`)`,
      `- Gnocchi: ${input.monitoring.gnocchi} (\`curl --netrc-file ${netrcFileName(learner)} ${input.monitoring.gnocchi}/v1/resource/generic\`)`,
      '',
    );
  }
  const account = input.cloudAccounts?.[learner.id];
  if (account) {
    lines.push(
      '## Your cloud account',
      '',
      `\`${account.file}\`, handed to you with this sheet, is your own credential on the course's cloud (it expires after the course). Keep it private. With it, the \`openstack\` client and Terraform act as you:`,
      '',
      '```',
      `export OS_CLIENT_CONFIG_FILE=$PWD/${account.file} OS_CLOUD=${account.cloud}`,
      'openstack server list',
      '```',
      '',
      'Everyone in the class shares the course\'s project: you can see your classmates\' servers, but not log in to them. Change only your own.',
      '',
    );
  }
  lines.push(
    '## Exercises',
    '',
    'They walk you step by step; each step checks your work and has hints.',
    '',
    '```',
    `${input.resops} exercise list --course ${input.courseFile} --learner ${learner.id}`,
    `${input.resops} exercise start 0 --course ${input.courseFile} --learner ${learner.id}`,
    '```',
    '',
  );
  return lines.join('\n');
}

export function instructorSheet(input: HandoutInput): string {
  const { course } = input;
  const lines = [
    `# ${course.title}: instructor's sheet`,
    '',
    `Course \`${course.id}\`, target ${course.target}${dates(course)}, ${course.learners.length} learner${course.learners.length === 1 ? '' : 's'}.`,
    `Each learner's sheet is \`<id>.md\`; their monitoring login (Prometheus and Gnocchi) is \`<id>.monitoring.netrc\` (hand it over privately; it is theirs alone).`,
    '',
    '| learner | name | machines |',
    '|---|---|---|',
    ...course.learners.map((l) => {
      const machines = learnerMachines(input, l);
      return `| ${l.id} | ${l.name} | ${machines.length ? machines.map((m) => `\`${m.ssh}\``).join('<br>') : 'not up'} |`;
    }),
    '',
  ];
  if (input.monitoring) {
    lines.push('## Monitoring', '', `- Prometheus: ${input.monitoring.prometheus}`, `- Gnocchi: ${input.monitoring.gnocchi}`, `- Your login is \`admin\` (password in the state directory's \`gnocchi-users.yml\`): the toolkit's, and the only one Alertmanager takes. Each learner logs in to Prometheus and Gnocchi as themselves.`, '');
  }
  if (course.target === 'openstack') {
    const dashboards = course.cloud.dashboardAllowedCidrs;
    lines.push(
      '## Who can reach what',
      '',
      `- SSH: ${course.cloud.sshAllowedCidrs.length ? course.cloud.sshAllowedCidrs.join(', ') : 'nobody outside the course (`cloud.ssh_allowed_cidrs` is empty): learners cannot log in from their laptops'}`,
      `- Prometheus, Alertmanager, Gnocchi: ${dashboards.length ? dashboards.join(', ') : 'nobody outside the course (`cloud.dashboard_allowed_cidrs` is empty)'}`,
      '',
    );
  }
  return lines.join('\n');
}
