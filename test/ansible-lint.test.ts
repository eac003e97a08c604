/**
 * playbooks/ as a maintained Ansible project: every role has the Galaxy layout and a README that
 * lists each of its variables, ansible-lint passes with the production profile (every exception
 * documented), and ansible-playbook accepts every playbook's syntax.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateTool, runTool } from '../src/local/toolbox.js';

const root = join(import.meta.dirname, '..');
const playbooks = join(root, 'playbooks');
const rolesDir = join(playbooks, 'roles');
const roles = readdirSync(rolesDir).sort();
const PLAYBOOKS = ['site.yml', 'learners.yml', 'monitoring.yml', 'workers.yml', 'render-prometheus.yml'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('roles', () => {
  it('are the fourteen the lab needs', () => {
    expect(roles).toEqual(['alertmanager', 'common', 'docker', 'gnocchi', 'node_exporter', 'pipeline_reference', 'pipeline_share', 'pipeline_worker', 'pipeline_workflow', 'prometheus', 'pushgateway', 'slurm_common', 'slurm_controller', 'slurm_node']);
  });

  it.each(roles)('%s has defaults, tasks, handlers, meta and a README listing every variable', (role) => {
    for (const part of ['defaults/main.yml', 'tasks/main.yml', 'handlers/main.yml', 'meta/main.yml', 'README.md']) {
      expect(existsSync(join(rolesDir, role, part)), `${role}/${part}`).toBe(true);
    }
    const readme = readFileSync(join(rolesDir, role, 'README.md'), 'utf8');
    const defaults = parse(readFileSync(join(rolesDir, role, 'defaults', 'main.yml'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(defaults).length).toBeGreaterThan(0);
    for (const name of Object.keys(defaults)) {
      expect(name.startsWith(`${role}_`), `${role}: variable ${name} is not prefixed with the role name`).toBe(true);
      expect(readme, `${role}/README.md does not list \`${name}\``).toContain(`\`${name}\``);
    }
    const meta = parse(readFileSync(join(rolesDir, role, 'meta', 'main.yml'), 'utf8')) as { galaxy_info?: { role_name?: string } };
    expect(meta.galaxy_info?.role_name).toBe(role);
  });

  it('use ansible-core modules only (the toolbox image has no collections)', () => {
    const yamlFiles = [...PLAYBOOKS.map((p) => join(playbooks, p)), ...filesUnder(rolesDir).filter((f) => f.endsWith('.yml'))];
    const modules = new Set<string>();
    for (const file of yamlFiles) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^\s*-?\s*([a-z_]+\.[a-z_]+\.[a-z_]+):/gm)) modules.add(match[1]!);
    }
    expect(modules.size).toBeGreaterThan(10);
    for (const module of modules) expect(module, `${module} is not in ansible-core`).toMatch(/^ansible\.builtin\./);
  });

  it('document every ansible-lint exception in .ansible-lint and docs/playbooks.md', () => {
    const config = readFileSync(join(playbooks, '.ansible-lint'), 'utf8');
    const docs = readFileSync(join(root, 'docs', 'playbooks.md'), 'utf8');
    expect(parse(config)).toMatchObject({ profile: 'production' });
    const skipped = new Set<string>();
    for (const file of filesUnder(rolesDir)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/#\s*noqa:\s*([\w-]+)/g)) skipped.add(match[1]!);
    }
    for (const rule of skipped) {
      expect(config, `.ansible-lint does not explain ${rule}`).toContain(rule);
      expect(docs, `docs/playbooks.md does not explain ${rule}`).toContain(rule);
    }
  });
});

const lint = await locateTool('ansible-lint');

describe.skipIf(lint.where === 'none')(`ansible-lint${lint.where === 'none' ? ` (skipped: ${lint.reason})` : ''}`, () => {
  it('passes with the production profile', async () => {
    const run = await runTool('ansible-lint', ['-c', '.ansible-lint', '--nocolor', ...PLAYBOOKS, ...roles.map((r) => `roles/${r}`)], { cwd: playbooks });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).toBe(0);
    expect(output).toMatch(/Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
  }, 120_000);
});

const playbook = await locateTool('ansible-playbook');

describe.skipIf(playbook.where === 'none')(`ansible-playbook --syntax-check${playbook.where === 'none' ? ` (skipped: ${playbook.reason})` : ` (${playbook.where})`}`, () => {
  beforeAll(async () => {
    await runTool('ansible-playbook', ['--version'], { cwd: playbooks, mounts: [root] });
  }, 900_000);

  it('accepts every playbook', async () => {
    const run = await runTool('ansible-playbook', ['--syntax-check', '-i', 'localhost,', ...PLAYBOOKS], {
      cwd: playbooks,
      mounts: [root],
      env: { ANSIBLE_CONFIG: join(playbooks, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' },
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const name of PLAYBOOKS) expect(run.stdout).toContain(`playbook: ${name}`);
  }, 120_000);
});
