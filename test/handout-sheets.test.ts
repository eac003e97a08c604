/**
 * The handout's sheets, from a course and its inventory (pure: no class needed). The local target's
 * handout is run for real, logged in with, in test/local-docker.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../src/ansible/inventory.js';
import { loadCourseText } from '../src/course/load.js';
import { instructorSheet, instructorSheetHtml, learnerMachines, learnerSheet, learnerSheetHtml, type HandoutInput } from '../src/handout/sheets.js';
import { courseYaml } from './helpers/course-yaml.js';

const course = loadCourseText(courseYaml({ id: 'hand', target: 'openstack', learners: 3, dashboardAllowedCidrs: ['198.51.100.0/24'] }), '/tmp/hand/course.yaml', '/tmp/hand');
const [alice, bob, third] = course.learners;

const inventory: Inventory = {
  course: 'hand',
  target: 'openstack',
  vars: {},
  groupVars: {},
  warnings: [],
  hosts: [
    { name: 'hand-alice-vm2', group: 'learners', learner: alice!.id, vars: { ansible_host: '203.0.113.12', ansible_port: 22, ansible_user: alice!.id } },
    { name: 'hand-alice-vm1', group: 'learners', learner: alice!.id, vars: { ansible_host: '203.0.113.11', ansible_port: 22, ansible_user: alice!.id } },
    { name: `hand-${bob!.id}-vm1`, group: 'learners', learner: bob!.id, vars: { ansible_host: '203.0.113.13', ansible_user: bob!.id } },
    { name: 'hand-monitoring', group: 'monitoring', vars: { ansible_host: '203.0.113.5', ansible_user: 'debian' } },
  ],
};
const input: HandoutInput = { course, inventory, resops: 'resops', courseFile: 'course.yaml', monitoring: { prometheus: 'http://203.0.113.5:9090', gnocchi: 'http://203.0.113.5:8041' } };

describe('handout sheets', () => {
  it("a learner's sheet: their machines in order with the SSH command of each, the monitoring, their netrc by name, the first exercise", () => {
    expect(learnerMachines(input, alice!)).toEqual([
      { name: 'hand-alice-vm1', ssh: `ssh ${alice!.id}@203.0.113.11` },
      { name: 'hand-alice-vm2', ssh: `ssh ${alice!.id}@203.0.113.12` },
    ]);
    const sheet = learnerSheet(input, alice!);
    expect(sheet).toContain(`| hand-alice-vm1 | \`ssh ${alice!.id}@203.0.113.11\` |`);
    expect(sheet).toContain(`${alice!.id}.monitoring.netrc`);
    expect(sheet).toContain('http://203.0.113.5:8041');
    expect(sheet).toContain(`resops exercise start 0 --course course.yaml --learner ${alice!.id}`);
    // Nobody else's machine is on it.
    expect(sheet).not.toContain('203.0.113.13');
  });

  it("a learner with a cloud account is told their file and how to use it, and that the project is shared; a learner without one reads nothing of it", () => {
    const withAccount = learnerSheet({ ...input, cloudAccounts: { [alice!.id]: { file: `${alice!.id}.clouds.yaml`, cloud: 'resops-hand' } } }, alice!);
    expect(withAccount).toContain(`export OS_CLIENT_CONFIG_FILE=$PWD/${alice!.id}.clouds.yaml OS_CLOUD=resops-hand`);
    expect(withAccount).toContain('you can see your classmates\' servers');
    // In a project of their own, they are told so instead.
    const ownProject = learnerSheet({ ...input, course: { ...input.course, accounts: { mode: 'project-per-learner' } }, cloudAccounts: { [alice!.id]: { file: `${alice!.id}.clouds.yaml`, cloud: 'resops-hand' } } }, alice!);
    expect(ownProject).toContain(`a project of your own, \`resops-${input.course.id}-${alice!.id}\``);
    expect(ownProject).not.toContain('classmates');
    expect(learnerSheet({ ...input, cloudAccounts: { [alice!.id]: { file: `${alice!.id}.clouds.yaml`, cloud: 'resops-hand' } } }, third!)).not.toContain('Your cloud account');
    // A dashboard file: the sheet says where it goes; a learner without one is told nothing.
    const withDashboard = learnerSheet({ ...input, dashboardFiles: { [alice!.id]: `${alice!.id}.dashboard.json` } }, alice!);
    expect(withDashboard).toContain(`put \`${alice!.id}.dashboard.json\`, handed to you with this sheet, at \`.resops/${input.course.id}/exercises/${alice!.id}/dashboard.json\``);
    expect(learnerSheet({ ...input, dashboardFiles: { [alice!.id]: `${alice!.id}.dashboard.json` } }, third!)).not.toContain('dashboard.json');
    expect(learnerSheet(input, alice!)).not.toContain('Your cloud account');
  });

  it('a learner whose lab is not up is told so; the instructor sees who can reach what', () => {
    expect(learnerSheet(input, third!)).toContain('None yet');
    const instructor = instructorSheet(input);
    expect(instructor).toContain(`| ${third!.id} | ${third!.name} | not up |`);
    expect(instructor).toContain(`\`ssh ${alice!.id}@203.0.113.11\`<br>\`ssh ${alice!.id}@203.0.113.12\``);
    expect(instructor).toContain('- Prometheus, Alertmanager, Gnocchi: 198.51.100.0/24');
    expect(instructor).toContain('- SSH: 192.0.2.0/24');
  });

  it('without monitoring there is no monitoring section and no login file is named', () => {
    const plain: HandoutInput = { course, inventory, resops: 'resops', courseFile: 'course.yaml' };
    expect(learnerSheet(plain, alice!)).not.toMatch(/Monitoring|netrc/);
  });

  it('the page to print says what the Markdown says: every command and address, names escaped, never markup from the course file', () => {
    const markdown = learnerSheet(input, alice!);
    const page = learnerSheetHtml(input, alice!);
    const decode = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    // Each line of each fenced block, and each command in backticks, is on the page as text.
    const fenced = [...markdown.matchAll(/```\n([\s\S]*?)\n```/g)].flatMap((m) => m[1]!.split('\n'));
    const spans = [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    expect(fenced.length).toBeGreaterThan(1);
    expect(spans).toContain(`ssh ${alice!.id}@203.0.113.11`);
    for (const text of [...fenced, ...spans]) expect(decode(page)).toContain(text);
    expect(page).toContain('<a href="http://203.0.113.5:8041">http://203.0.113.5:8041</a>');
    expect(page).not.toContain('203.0.113.13');

    const hostile = '<script>alert(1)</script> & "Eve" | co';
    const course2 = { ...course, title: 'Course <b>', learners: course.learners.map((l, i) => (i === 0 ? { ...l, name: hostile } : l)) };
    const input2: HandoutInput = { ...input, course: course2 };
    for (const html of [learnerSheetHtml(input2, course2.learners[0]!), instructorSheetHtml(input2)]) {
      expect(html).not.toMatch(/<script|<b>/);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Eve&quot; | co');
    }
    // In Markdown the name's bar cannot split the instructor's table.
    expect(instructorSheet(input2)).toContain(`| ${alice!.id} | <script>alert(1)</script> & "Eve" \\| co |`);
  });
});
