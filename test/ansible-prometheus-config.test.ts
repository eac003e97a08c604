/**
 * The prometheus role's prometheus.yml for both targets, rendered by Ansible itself
 * (playbooks/render-prometheus.yml) and checked with `promtool check config` — which also loads
 * the rule files the role installs. The local rendering must match what the local target's
 * driver generates (same jobs, targets, labels), so alerts behave the same on both targets.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPrometheusConfig } from '../src/ansible/render.js';
import bcrypt from 'bcryptjs';
import { gnocchiAdmin, gnocchiLearner } from '../src/access/gnocchi-users.js';
import { monitoringWebConfigs } from '../src/access/monitoring-web.js';
import { locateTool, runTool } from '../src/local/toolbox.js';
import { loadCourseText } from '../src/course/load.js';
import { nodeTargets, prometheusConfig } from '../src/local/monitoring-files.js';
import { courseYaml } from './helpers/course-yaml.js';

const root = join(import.meta.dirname, '..');
const [ansible, promtool] = await Promise.all([locateTool('ansible-playbook'), locateTool('promtool')]);
const missing = [ansible, promtool].find((t) => t.where === 'none');

interface PromConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  alerting: unknown;
  scrape_configs: Array<{
    job_name: string;
    honor_labels?: boolean;
    basic_auth?: { username: string; password: string };
    static_configs?: Array<{ targets: string[] }>;
    file_sd_configs?: Array<{ files: string[] }>;
    openstack_sd_configs?: Array<Record<string, unknown>>;
    relabel_configs?: Array<{ source_labels?: string[]; regex?: string; action?: string; target_label?: string; replacement?: string }>;
  }>;
}

describe.skipIf(missing !== undefined)(`Prometheus configuration of both targets${missing?.where === 'none' ? ` (skipped: ${missing.reason})` : ''}`, () => {
  const temp = mkdtempSync(join(tmpdir(), 'resops-prom-render-'));
  const course = loadCourseText(courseYaml({ id: 'prom-t', learners: 2, vms: 2, target: 'local' }), 'course.yaml', temp);
  const dirs = { local: join(temp, 'local'), openstack: join(temp, 'openstack') };
  const SECRET = 'not-a-real-secret-but-must-stay-private';
  // The course's logins, as `configure` passes them (the role refuses to render without them).
  const login = gnocchiAdmin(course);
  const logins = { prometheus_web_users: monitoringWebConfigs(course).prometheus.basic_auth_users, prometheus_login_password: login.password };

  beforeAll(async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dirs.local);
    mkdirSync(dirs.openstack);
    const local = () =>
      renderPrometheusConfig({
        dir: dirs.local,
        courseId: course.id,
        target: 'local',
        // The local target's addresses: the service containers' names on the monitoring network.
        vars: { ...logins, prometheus_file_sd_targets: nodeTargets(course), prometheus_alertmanager_address: 'alertmanager:9093', prometheus_pushgateway_address: 'pushgateway:9091' },
      });
    const openstack = () =>
      renderPrometheusConfig({
        dir: dirs.openstack,
        courseId: course.id,
        target: 'openstack',
        vars: {
          ...logins,
          prometheus_openstack_identity_endpoint: 'https://keystone.example.org:5000/v3',
          prometheus_openstack_region: 'RegionOne',
          // Not the default: the value must reach the file, and promtool must accept it.
          prometheus_openstack_availability: 'internal',
          prometheus_openstack_auth: { application_credential_id: 'ac-id', application_credential_secret: SECRET },
        },
      });
    // In the toolbox the first call builds the image: one after the other then; else in parallel.
    if (ansible.where === 'toolbox') {
      await local();
      await openstack();
    } else {
      await Promise.all([local(), openstack()]);
    }
  }, 900_000);
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  const config = (target: keyof typeof dirs) => parse(readFileSync(join(dirs[target], 'prometheus.yml'), 'utf8')) as PromConfig;

  it.each(['local', 'openstack'] as const)('promtool check config accepts the %s rendering and its rules', async (target) => {
    const run = await runTool('promtool', ['check', 'config', join(dirs[target], 'prometheus.yml')], { cwd: dirs[target], mounts: [temp] });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).toBe(0);
    expect(output).toMatch(/SUCCESS: \d+ rule files found/);
    // The role installs the shared rule files, unchanged.
    const installed = readdirSync(join(dirs[target], 'rules')).sort();
    expect(installed).toEqual(readdirSync(join(root, 'monitoring', 'rules')).filter((f) => f.endsWith('.yml')).sort());
    for (const file of installed) expect(readFileSync(join(dirs[target], 'rules', file), 'utf8')).toBe(readFileSync(join(root, 'monitoring', 'rules', file), 'utf8'));
  }, 120_000);

  it.each(['local', 'openstack'] as const)('%s: every request needs a login: promtool accepts web.yml, which holds admin and every learner as bcrypt hashes, never a password', async (target) => {
    const web = join(dirs[target], 'web.yml');
    const run = await runTool('promtool', ['check', 'web-config', web], { cwd: dirs[target], mounts: [temp] });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const users = (parse(readFileSync(web, 'utf8')) as { basic_auth_users: Record<string, string> }).basic_auth_users;
    expect(Object.keys(users).sort()).toEqual(['admin', ...course.learners.map((l) => l.id)].sort());
    for (const [user, hash] of Object.entries(users)) {
      expect(hash).toMatch(/^\$2[aby]\$10\$/);
      expect(bcrypt.compareSync(user === 'admin' ? login.password : gnocchiLearner(course, user).password, hash), user).toBe(true);
    }
    expect(readFileSync(web, 'utf8')).not.toContain(login.password);
    expect(statSync(web).mode & 0o004).toBe(0);
    // Prometheus logs in to itself and to Alertmanager (both behind a login).
    const rendered = config(target);
    const basic = { username: 'admin', password: login.password };
    expect(rendered.alerting).toEqual({ alertmanagers: [expect.objectContaining({ basic_auth: basic })] });
    for (const job of ['prometheus', 'alertmanager']) expect(rendered.scrape_configs.find((j) => j.job_name === job)).toMatchObject({ basic_auth: basic });
  }, 120_000);

  it('the role refuses to render a Prometheus without logins, naming the variables', async () => {
    const dir = join(temp, 'no-logins');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    await expect(renderPrometheusConfig({ dir, courseId: course.id, target: 'local', vars: { prometheus_file_sd_targets: [] } })).rejects.toThrow(/prometheus_web_users/);
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);

  it('openstack: discovers instances through Nova, keeps the course\'s (a stopped one too, so InstanceDown fires), scrapes their fixed IP', () => {
    const node = config('openstack').scrape_configs.find((j) => j.job_name === 'node')!;
    expect(node.file_sd_configs).toBeUndefined();
    expect(node.openstack_sd_configs).toEqual([
      expect.objectContaining({ role: 'instance', region: 'RegionOne', identity_endpoint: 'https://keystone.example.org:5000/v3', availability: 'internal', application_credential_id: 'ac-id', port: 9100 }),
    ]);
    const relabel = node.relabel_configs!;
    const keep = (label: string) => relabel.find((r) => r.action === 'keep' && r.source_labels?.[0] === label);
    expect(new RegExp(`^(?:${keep('__meta_openstack_tag_resops_course')!.regex})$`).test('prom-t')).toBe(true);
    expect(new RegExp(`^(?:${keep('__meta_openstack_tag_resops_course')!.regex})$`).test('prom-t2')).toBe(false);
    const statusDrop = relabel.find((r) => r.action === 'drop' && r.source_labels?.[0] === '__meta_openstack_instance_status')!;
    const dropped = (status: string) => new RegExp(`^(?:${statusDrop.regex})$`).test(status);
    expect(['ACTIVE', 'SHUTOFF', 'ERROR', 'PAUSED', 'BUILD', 'DELETED', 'SOFT_DELETED'].filter(dropped)).toEqual(['BUILD', 'DELETED', 'SOFT_DELETED']);
    expect(relabel.some((r) => r.action === 'keep' && r.source_labels?.[0] === '__meta_openstack_instance_status')).toBe(false);
    expect(relabel.find((r) => r.target_label === '__address__')).toMatchObject({ source_labels: ['__meta_openstack_private_ip'], replacement: '${1}:9100' });
    for (const label of ['learner', 'role', 'vm', 'worker', 'course', 'instance']) expect(relabel.some((r) => r.target_label === label), label).toBe(true);
    // Holds a credential: not world-readable.
    expect(statSync(join(dirs.openstack, 'prometheus.yml')).mode & 0o004).toBe(0);
  });

  it('local: file_sd with every learner VM, and the same jobs and labels as the local driver\'s prometheus.yml', () => {
    const rendered = config('local');
    const driver = parse(prometheusConfig(course, parse(readFileSync(join(root, 'monitoring', 'prometheus-global.yml'), 'utf8')) as Record<string, unknown>, login)) as PromConfig;
    expect(rendered.global).toEqual(driver.global);
    expect(rendered.alerting).toEqual(driver.alerting);
    const shape = (c: PromConfig) => c.scrape_configs.map((j) => ({ job: j.job_name, honor: j.honor_labels ?? false, login: j.basic_auth ?? null, targets: j.static_configs?.flatMap((s) => s.targets) ?? null, fileSd: Boolean(j.file_sd_configs) }));
    expect(shape(rendered)).toEqual(shape(driver));
    const fileSd = JSON.parse(readFileSync(join(dirs.local, 'file_sd', 'nodes.json'), 'utf8')) as unknown;
    expect(fileSd).toEqual(nodeTargets(course));
    expect((fileSd as unknown[]).length).toBe(4);
    expect(rendered.rule_files).toEqual([`${dirs.local}/rules/*.yml`]);
  });
});

const toolbox = await locateTool('ansible-playbook', { forceToolbox: true });

describe.skipIf(toolbox.where === 'none')(`the toolbox image (Ansible and promtool without a host install)${toolbox.where === 'none' ? ` (skipped: ${toolbox.reason})` : ''}`, () => {
  const temp = mkdtempSync(join(tmpdir(), 'resops-prom-toolbox-'));
  const course = loadCourseText(courseYaml({ id: 'prom-tb', learners: 1, target: 'local' }), 'course.yaml', temp);
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  beforeAll(async () => {
    // Builds resops/toolbox when it is missing (minutes, once).
    await runTool('ansible-playbook', ['--version'], { cwd: temp, forceToolbox: true });
  }, 900_000);

  it('renders prometheus.yml with the toolbox\'s Ansible and checks it with its promtool', async () => {
    await renderPrometheusConfig({ dir: temp, courseId: course.id, target: 'local', vars: { prometheus_file_sd_targets: nodeTargets(course), prometheus_web_users: monitoringWebConfigs(course).prometheus.basic_auth_users, prometheus_login_password: gnocchiAdmin(course).password }, forceToolbox: true });
    const check = await runTool('promtool', ['check', 'config', join(temp, 'prometheus.yml')], { cwd: temp, forceToolbox: true });
    expect(check.where).toBe('toolbox');
    expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
    const rendered = parse(readFileSync(join(temp, 'prometheus.yml'), 'utf8')) as PromConfig;
    expect(rendered.rule_files).toEqual([`${temp}/rules/*.yml`]);
    expect(JSON.parse(readFileSync(join(temp, 'file_sd', 'nodes.json'), 'utf8'))).toEqual(nodeTargets(course));
    // Written as the calling user, not root-in-a-container.
    if (typeof process.getuid === 'function') expect(statSync(join(temp, 'prometheus.yml')).uid).toBe(process.getuid());
  }, 300_000);
});
