/**
 * One cluster configuration for both targets: the slurm_common role's slurm.conf, rendered by
 * Ansible itself (playbooks/render-slurm.yml), is the file the local target writes into its head
 * and worker containers (src/pipeline/slurm-conf.ts), line for line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlaybook } from '../src/ansible/runner.js';
import { locateTool } from '../src/local/toolbox.js';
import { renderSlurmConf } from '../src/pipeline/slurm-conf.js';

const ansible = await locateTool('ansible-playbook');

describe.skipIf(ansible.where === 'none')(`Slurm configuration of both targets${ansible.where === 'none' ? ` (skipped: ${ansible.reason})` : ''}`, () => {
  const temp = mkdtempSync(join(tmpdir(), 'resops-slurm-render-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('the role renders the same slurm.conf as the local target for the same cluster', async () => {
    const nodes = [
      { name: 'worker1', address: '10.42.0.11', cpus: 4, memoryMb: 8192 },
      { name: 'worker2', address: '10.42.0.12', cpus: 2, memoryMb: 3900 },
    ];
    const inventoryFile = join(temp, 'inventory.yml');
    writeFileSync(inventoryFile, 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: "{{ ansible_playbook_python }}"\n');
    const lines: string[] = [];
    const run = await runPlaybook({
      inventoryFile,
      playbook: 'render-slurm.yml',
      vars: {
        render_dir: temp,
        slurm_common_cluster_name: 'bio-101',
        slurm_common_controller_name: 'bio-101-monitoring',
        slurm_common_controller_address: '10.42.0.5',
        slurm_common_nodes: nodes.map((n) => ({ name: n.name, address: n.address, cpus: n.cpus, memory_mb: n.memoryMb })),
      },
      mounts: [temp],
      onLine: (line) => lines.push(line),
    });
    expect(run.ok, lines.slice(-10).join('\n')).toBe(true);
    const rendered = readFileSync(join(temp, 'slurm.conf'), 'utf8');
    const local = renderSlurmConf({ name: 'bio-101', controller: { name: 'bio-101-monitoring', address: '10.42.0.5' }, nodes });
    expect(rendered.split('\n')).toEqual(local.split('\n'));
  }, 120_000);
});

describe('the openstack workers run the same tools as the local ones', () => {
  it("slurm_node installs exactly the pipeline image's tools, and its reference is the image's", () => {
    const defaults = parse(readFileSync('playbooks/roles/slurm_node/defaults/main.yml', 'utf8')) as { slurm_node_pipeline_tools: string[] };
    const dockerfile = readFileSync('containers/pipeline/Dockerfile.cloud', 'utf8');
    const install = /apt-get install -y --no-install-recommends ([^&]+)&&/.exec(dockerfile.replace(/\\\n\s*/g, ' '))?.[1];
    expect(install, 'Dockerfile.cloud changed shape: update this test').toBeDefined();
    const engines = /^(slurm|munge|snakemake|python)/;
    const imageTools = install!.trim().split(/\s+/).filter((p) => !engines.test(p));
    expect([...defaults.slurm_node_pipeline_tools].sort()).toEqual([...imageTools].sort());
    // The reference: the same package member, at the path the workflow reads.
    const reference = parse(readFileSync('playbooks/roles/pipeline_reference/defaults/main.yml', 'utf8')) as Record<string, string>;
    const image = readFileSync('containers/pipeline/Dockerfile', 'utf8');
    expect(image).toContain(`apt-get download ${reference.pipeline_reference_package}`);
    expect(image).toContain(`tar -xO ${reference.pipeline_reference_member}`);
    const snakefile = readFileSync('containers/pipeline/workflow/Snakefile', 'utf8');
    expect(snakefile).toContain(`config.get("reference", "${reference.pipeline_reference_dir}/${reference.pipeline_reference_name}")`);
  });
});
