import { describe, expect, it } from 'vitest';
import { AnsibleOutputReader, parseRecap, parseRecapLine, type AnsibleEvent } from '../src/ansible/output.js';
import { formatEvent, formatRecap } from '../src/ansible/runner.js';

// Output as ansible-core 2.14's default callback prints it (captured from a real run, trimmed).
const RUN = `
PLAY [Configure the learner VMs] ***********************************************

TASK [Gathering Facts] *********************************************************
ok: [t-alice-vm1]
ok: [t-bob-vm1]

TASK [common : Install base packages] ******************************************
included: /work/playbooks/roles/common/tasks/packages.yml for t-alice-vm1, t-bob-vm1

TASK [common : Write the hardening drop-in (keys only, no root login)] *********
changed: [t-alice-vm1]
ok: [t-bob-vm1]

TASK [node_exporter : Check that node-exporter answers] ************************
ok: [t-alice-vm1] => (item=9100)
fatal: [t-bob-vm1]: FAILED! => {"changed": false, "msg": "Status code was -1 and not [200]: Request failed"}

RUNNING HANDLER [common : Reload sshd by signal] *******************************
changed: [t-alice-vm1]

TASK [docker : Say why Docker is skipped here] *********************************
skipping: [t-alice-vm1]
fatal: [t-carol-vm1]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: Connection refused", "unreachable": true}
[WARNING]: Could not match supplied host pattern, ignoring: workers

PLAY RECAP *********************************************************************
t-alice-vm1                : ok=5    changed=2    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0
t-bob-vm1                  : ok=2    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0
t-carol-vm1                : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0
`;

function readAll(text: string): AnsibleEvent[] {
  const reader = new AnsibleOutputReader();
  return text.split('\n').flatMap((line) => reader.read(line));
}

describe('PLAY RECAP', () => {
  it('reads every host row with all its counters', () => {
    const recap = parseRecap(RUN);
    expect(recap.map((r) => r.host)).toEqual(['t-alice-vm1', 't-bob-vm1', 't-carol-vm1']);
    expect(recap[0]).toEqual({ host: 't-alice-vm1', ok: 5, changed: 2, unreachable: 0, failed: 0, skipped: 1, rescued: 0, ignored: 0 });
    expect(recap[1]!.failed).toBe(1);
    expect(recap[2]!.unreachable).toBe(1);
  });

  it('ignores lines that only look like a recap outside it, and tolerates an older recap without rescued/ignored', () => {
    expect(parseRecap('ok: [x]\nhost : ok=1 changed=0 unreachable=0 failed=0\n')).toEqual([]);
    expect(parseRecapLine('h1 : ok=1 changed=1 unreachable=0 failed=0 skipped=0')).toEqual({
      host: 'h1', ok: 1, changed: 1, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0,
    });
    expect(parseRecapLine('TASK [x : y] ****')).toBeUndefined();
  });

  it('renders a table that flags failed and unreachable hosts', () => {
    const lines = formatRecap(parseRecap(RUN));
    expect(lines[0]).toMatch(/^HOST\s+OK\s+CHANGED\s+FAILED\s+UNREACHABLE\s+SKIPPED\s+RESULT$/);
    expect(lines.find((l) => l.startsWith('t-alice-vm1'))).toMatch(/\s5\s+2\s+0\s+0\s+1\s+ok$/);
    expect(lines.find((l) => l.startsWith('t-bob-vm1'))).toMatch(/FAILED$/);
    expect(lines.find((l) => l.startsWith('t-carol-vm1'))).toMatch(/UNREACHABLE$/);
  });
});

describe('streamed events', () => {
  const events = readAll(RUN);
  const results = events.filter((e): e is Extract<AnsibleEvent, { kind: 'result' }> => e.kind === 'result');

  it('attributes each host result to the task it belongs to', () => {
    expect(results.find((r) => r.status === 'changed' && r.host === 't-alice-vm1')?.task).toBe('common : Write the hardening drop-in (keys only, no root login)');
    expect(results.filter((r) => r.status === 'included').map((r) => r.host)).toEqual(['t-alice-vm1', 't-bob-vm1']);
    expect(events.find((e) => e.kind === 'task' && e.handler)).toEqual({ kind: 'task', name: 'common : Reload sshd by signal', handler: true });
    expect(results.find((r) => r.item !== undefined)).toMatchObject({ host: 't-alice-vm1', item: '9100', status: 'ok' });
  });

  it('tells failed from unreachable and keeps the message', () => {
    expect(results.find((r) => r.host === 't-bob-vm1' && r.status === 'failed')).toMatchObject({
      task: 'node_exporter : Check that node-exporter answers',
      message: 'Status code was -1 and not [200]: Request failed',
    });
    expect(results.find((r) => r.host === 't-carol-vm1')).toMatchObject({ status: 'unreachable', message: expect.stringContaining('Connection refused') });
  });

  it('reports plays, warnings and the recap, and prints the results worth seeing', () => {
    expect(events.filter((e) => e.kind === 'play')).toEqual([{ kind: 'play', name: 'Configure the learner VMs' }]);
    expect(events.filter((e) => e.kind === 'warning')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'recap')).toHaveLength(3);
    const printed = events.map(formatEvent).filter(Boolean);
    expect(printed).toContain('  changed     t-alice-vm1  common : Write the hardening drop-in (keys only, no root login)');
    expect(printed.some((l) => l!.includes('FAILED') && l!.includes('t-bob-vm1'))).toBe(true);
    // Skipped and included results are noise in a progress stream.
    expect(printed.some((l) => l!.includes('skipping') || l!.includes('included'))).toBe(false);
  });
});
