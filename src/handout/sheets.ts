/**
 * What a learner is handed on class day, and the instructor's overview: how to log in to each of
 * their machines, where the monitoring is, their own monitoring login (in a file of its own, never in
 * the sheet), and the first exercise command. Pure: computed from the course and its inventory
 * (both targets), so a test can check it without a class.
 */
import type { Course, Learner } from '../course/model.js';
import { ACCOUNT_NAMES } from '../course/naming.js';
import type { Inventory, InventoryHost } from '../ansible/inventory.js';
import { toHtml, toMarkdown, type Block } from './blocks.js';

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
  /** Learners with a dashboard file (`resops dashboard tokens`): id → its file name. */
  dashboardFiles?: Record<string, string>;
}

export interface LearnerMachine {
  name: string;
  /** The command that logs the learner in: the inventory's address, port and user. */
  ssh: string;
}

export const netrcFileName = (learner: Pick<Learner, 'id'>) => `${learner.id}.monitoring.netrc`;
export const sheetFileName = (learner: Pick<Learner, 'id'>) => `${learner.id}.md`;
export const printableSheetFileName = (learner: Pick<Learner, 'id'>) => `${learner.id}.html`;
export const INSTRUCTOR_SHEET = 'instructor.md';
export const INSTRUCTOR_PRINTABLE_SHEET = 'instructor.html';

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

/** A learner's sheet as blocks: `learnerSheet` (Markdown) and `learnerSheetHtml` render it. */
export function learnerSheetBlocks(input: HandoutInput, learner: Learner): Block[] {
  const { course } = input;
  const machines = learnerMachines(input, learner);
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `${course.title}: ${learner.name}` },
    {
      kind: 'paragraph',
      lines: [
        `Course \`${course.id}\` (${course.target === 'local' ? 'on this machine' : 'on the OpenStack cloud'}${dates(course)}).`,
        `Your user name on every machine is \`${learner.id}\`; SSH takes the key whose public half you gave (add \`-i <your private key>\` when it is not your default one).`,
      ],
    },
    { kind: 'heading', level: 2, text: 'Your machines' },
    machines.length
      ? { kind: 'table', header: ['machine', 'log in with'], rows: machines.map((m) => [[m.name], [`\`${m.ssh}\``]]) }
      : { kind: 'paragraph', lines: ['None yet: your instructor has not started your lab (exercise 00 does it with `up --learner`).'] },
  ];
  if (input.monitoring) {
    blocks.push({ kind: 'heading', level: 2, text: 'Monitoring' }, {
      kind: 'list',
      items: [
        `Your monitoring login, for Prometheus and Gnocchi alike: you are \`${learner.id}\`; your password is in \`${netrcFileName(learner)}\`, handed to you with this sheet. Keep it private.`,
        `Prometheus: ${input.monitoring.prometheus} (the browser asks for the login; from a terminal: \`curl --netrc-file ${netrcFileName(learner)} '${input.monitoring.prometheus}/api/v1/query?query=up'\`)`,
        `Gnocchi: ${input.monitoring.gnocchi} (\`curl --netrc-file ${netrcFileName(learner)} ${input.monitoring.gnocchi}/v1/resource/generic\`)`,
      ],
    });
  }
  const account = input.cloudAccounts?.[learner.id];
  if (account) {
    blocks.push(
      { kind: 'heading', level: 2, text: 'Your cloud account' },
      { kind: 'paragraph', lines: [`\`${account.file}\`, handed to you with this sheet, is your own credential on the course's cloud (it expires after the course). Keep it private. With it, the \`openstack\` client and Terraform act as you:`] },
      { kind: 'code', lines: [`export OS_CLIENT_CONFIG_FILE=$PWD/${account.file} OS_CLOUD=${account.cloud}`, 'openstack server list'] },
      {
        kind: 'paragraph',
        lines: [
          input.course.accounts.mode === 'project-per-learner'
            ? `It works in a project of your own, \`${ACCOUNT_NAMES.learner(input.course, learner)}\`: your servers are the only ones you see, and its quota fits exactly your lab.`
            : 'Everyone in the class shares the course\'s project: you can see your classmates\' servers, but not log in to them. Change only your own.',
        ],
      },
    );
  }
  const dashboardFile = input.dashboardFiles?.[learner.id];
  blocks.push(
    { kind: 'heading', level: 2, text: 'Exercises' },
    { kind: 'paragraph', lines: ['They walk you step by step; each step checks your work and has hints.'] },
    ...(dashboardFile
      ? [{ kind: 'paragraph' as const, lines: [`Your instructor sees your progress live: put \`${dashboardFile}\`, handed to you with this sheet, at \`.resops/${input.course.id}/exercises/${learner.id}/dashboard.json\` in your copy of the course (or set \`RESOPS_DASHBOARD_FILE\` to it). It holds your own report token: keep it private.`] }]
      : []),
    {
      kind: 'code',
      lines: [
        `${input.resops} exercise list --course ${input.courseFile} --learner ${learner.id}`,
        `${input.resops} exercise start 0 --course ${input.courseFile} --learner ${learner.id}`,
      ],
    },
  );
  return blocks;
}

export const learnerSheet = (input: HandoutInput, learner: Learner): string => toMarkdown(learnerSheetBlocks(input, learner));
export const learnerSheetHtml = (input: HandoutInput, learner: Learner): string => toHtml(learnerSheetBlocks(input, learner));

/** The instructor's sheet as blocks: every learner, the monitoring, who can reach what. */
export function instructorSheetBlocks(input: HandoutInput): Block[] {
  const { course } = input;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `${course.title}: instructor's sheet` },
    {
      kind: 'paragraph',
      lines: [
        `Course \`${course.id}\`, target ${course.target}${dates(course)}, ${course.learners.length} learner${course.learners.length === 1 ? '' : 's'}.`,
        `Each learner's sheet is \`<id>.md\` (\`<id>.html\` to print); their monitoring login (Prometheus and Gnocchi) is \`<id>.monitoring.netrc\` (hand it over privately; it is theirs alone).`,
      ],
    },
    {
      kind: 'table',
      header: ['learner', 'name', 'machines'],
      rows: course.learners.map((l) => {
        const machines = learnerMachines(input, l);
        return [[l.id], [l.name], machines.length ? machines.map((m) => `\`${m.ssh}\``) : ['not up']];
      }),
    },
  ];
  if (input.monitoring) {
    blocks.push({ kind: 'heading', level: 2, text: 'Monitoring' }, {
      kind: 'list',
      items: [
        `Prometheus: ${input.monitoring.prometheus}`,
        `Gnocchi: ${input.monitoring.gnocchi}`,
        'Your login is `admin` (password in the state directory\'s `gnocchi-users.yml`): the toolkit\'s, and the only one Alertmanager takes. Each learner logs in to Prometheus and Gnocchi as themselves.',
      ],
    });
  }
  if (course.target === 'openstack') {
    const dashboards = course.cloud.dashboardAllowedCidrs;
    blocks.push({ kind: 'heading', level: 2, text: 'Who can reach what' }, {
      kind: 'list',
      items: [
        `SSH: ${course.cloud.sshAllowedCidrs.length ? course.cloud.sshAllowedCidrs.join(', ') : 'nobody outside the course (`cloud.ssh_allowed_cidrs` is empty): learners cannot log in from their laptops'}`,
        `Prometheus, Alertmanager, Gnocchi: ${dashboards.length ? dashboards.join(', ') : 'nobody outside the course (`cloud.dashboard_allowed_cidrs` is empty)'}`,
      ],
    });
  }
  return blocks;
}

export const instructorSheet = (input: HandoutInput): string => toMarkdown(instructorSheetBlocks(input));
export const instructorSheetHtml = (input: HandoutInput): string => toHtml(instructorSheetBlocks(input));
