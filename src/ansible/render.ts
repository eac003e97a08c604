/**
 * Renders the prometheus role's configuration on this machine with Ansible itself
 * (playbooks/render-prometheus.yml), so what is checked is exactly what the role installs: the
 * tests run `promtool check config` on it for both targets, and instructors can review it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetError } from '../targets/driver.js';
import { runPlaybook } from './runner.js';

export interface RenderOptions {
  /** Directory to write prometheus.yml, rules/ and file_sd/ into (it must exist). */
  dir: string;
  courseId: string;
  target: 'local' | 'openstack';
  /** More role variables (prometheus_openstack_*, prometheus_file_sd_targets, addresses…). */
  vars?: Record<string, unknown>;
  forceToolbox?: boolean;
}

const LOCAL_ONLY_INVENTORY = 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: "{{ ansible_playbook_python }}"\n';

export async function renderPrometheusConfig(options: RenderOptions): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), 'resops-render-'));
  try {
    const inventoryFile = join(temp, 'inventory.yml');
    await writeFile(inventoryFile, LOCAL_ONLY_INVENTORY);
    const lines: string[] = [];
    const run = await runPlaybook({
      inventoryFile,
      playbook: 'render-prometheus.yml',
      vars: { render_dir: options.dir, resops_course_id: options.courseId, resops_target: options.target, ...options.vars },
      mounts: [options.dir],
      ...(options.forceToolbox ? { forceToolbox: true } : {}),
      onLine: (line) => lines.push(line),
    });
    if (!run.ok) {
      throw new TargetError(`rendering the Prometheus configuration failed (exit ${run.code}): ${run.failures.map((f) => f.message ?? f.task).join('; ') || lines.slice(-5).join(' | ')}`);
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
