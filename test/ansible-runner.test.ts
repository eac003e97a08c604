/**
 * runPlaybook reports failures as failures: a failed task and an unreachable host each make the
 * run not ok, with the host, the task and Ansible's message (what `configure` prints and turns
 * into exit 1). Real ansible-playbook runs against this machine only (connection local, or a
 * closed port on 127.0.0.1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlaybook } from '../src/ansible/runner.js';
import { locateTool, runTool } from '../src/local/toolbox.js';

const ansible = await locateTool('ansible-playbook');

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(ansible.where === 'none')(`runPlaybook failures${ansible.where === 'none' ? ` (skipped: ${ansible.reason})` : ` (${ansible.where})`}`, () => {
  const temp = mkdtempSync(join(tmpdir(), 'resops-runner-test-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  beforeAll(async () => {
    await runTool('ansible-playbook', ['--version'], { cwd: temp });
  }, 900_000);

  it('a failing task: not ok, with the host, the task and the message', async () => {
    const inventory = join(temp, 'local.yml');
    writeFileSync(inventory, 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: "{{ ansible_playbook_python }}"\n');
    const events: string[] = [];
    // openstack discovery without a region: the prometheus role's own check refuses it.
    const run = await runPlaybook({
      inventoryFile: inventory,
      playbook: 'render-prometheus.yml',
      vars: { render_dir: temp, resops_course_id: 'runner-t', resops_target: 'openstack' },
      onEvent: (e) => events.push(e.kind),
    });
    expect(run.ok).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.recap).toEqual([expect.objectContaining({ host: 'localhost', failed: 1, unreachable: 0 })]);
    expect(run.failures).toEqual([
      expect.objectContaining({ host: 'localhost', status: 'failed', task: 'prometheus : Check the discovery settings', message: expect.stringContaining('prometheus_openstack_region') }),
    ]);
    expect(events).toContain('task');
  }, 120_000);

  it('an unreachable host: not ok, reported as unreachable', async () => {
    const inventory = join(temp, 'ghost.yml');
    const port = await closedPort();
    writeFileSync(
      inventory,
      `all:\n  vars:\n    ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5\n  children:\n    learners:\n      hosts:\n        ghost-vm1:\n          ansible_host: 127.0.0.1\n          ansible_port: ${port}\n          ansible_user: nobody\n`,
    );
    const run = await runPlaybook({ inventoryFile: inventory, playbook: 'learners.yml' });
    expect(run.ok).toBe(false);
    expect(run.recap).toEqual([expect.objectContaining({ host: 'ghost-vm1', unreachable: 1, changed: 0 })]);
    expect(run.failures).toEqual([expect.objectContaining({ host: 'ghost-vm1', status: 'unreachable', message: expect.stringMatching(/Connection refused|connect/i) })]);
  }, 120_000);
});
