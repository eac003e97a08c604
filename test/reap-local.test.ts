import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { LABELS } from '../src/course/model.js';
import { DEBIAN_BASE, ensureDebianBase } from '../src/local/base-image.js';
import { collectingProgress } from '../src/local/progress.js';
import { courseYaml } from './helpers/course-yaml.js';
import { suiteDocker, suiteId } from './helpers/docker-suite.js';
import { runCli } from './helpers/run-cli.js';

/**
 * `resops reap` on the local target, on real Docker. The course's "VMs" are plain containers
 * labelled as the local driver labels them (a whole `up` would only add minutes): reap finds a
 * course's objects by those labels, as `down` does.
 */

const { docker, dockerAvailable } = await suiteDocker('the local reap tests');
const { id: ID } = suiteId('t-reap');
const OTHER = `${ID}-x`;

let dir = '';

function courseFile(name: string, end: string, action: 'stop' | 'destroy'): string {
  const doc = parse(courseYaml({ id: ID, learners: 1, target: 'local' })) as Record<string, Record<string, unknown>>;
  doc.course!.end = end;
  doc.course!.start = '2026-01-01';
  doc.expiry = { grace_hours: 0, action };
  const file = join(dir, name);
  writeFileSync(file, stringify(doc));
  return file;
}

async function labelledContainer(course: string, name: string, running: boolean, network?: string): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name,
    Image: DEBIAN_BASE,
    Cmd: ['sleep', 'infinity'],
    Labels: { [LABELS.course]: course, [LABELS.role]: 'learner' },
    HostConfig: { RestartPolicy: { Name: 'unless-stopped' }, ...(network ? { NetworkMode: network } : {}) },
  });
  if (running) await container.start();
  return container;
}

async function stateOf(name: string): Promise<string | undefined> {
  const found = await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
  return found[0]?.State;
}

async function labelled(course: string): Promise<string[]> {
  const filters = { label: [`${LABELS.course}=${course}`] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return [...containers.map((c) => c.Names[0]!.slice(1)), ...networks.map((n) => n.Name)].sort();
}

async function removeCourse(course: string): Promise<void> {
  const filters = { label: [`${LABELS.course}=${course}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true });
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove();
}

describe.skipIf(!dockerAvailable)('resops reap on the local target (real Docker)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'resops-reap-local-'));
    await ensureDebianBase(docker, collectingProgress());
    await docker.createNetwork({ Name: `${ID}-net`, Labels: { [LABELS.course]: ID, [LABELS.role]: 'learner' } });
    await labelledContainer(ID, `${ID}-learner1-vm1`, true, `${ID}-net`);
    await labelledContainer(ID, `${ID}-learner1-vm2`, false);
    // Another course on the same daemon: reap must never touch it.
    await labelledContainer(OTHER, `${OTHER}-learner1-vm1`, true);
  }, 300_000);

  afterAll(async () => {
    if (!dockerAvailable) return;
    await removeCourse(ID);
    await removeCourse(OTHER);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('before the expiry, nothing is stopped', async () => {
    const run = await runCli(['reap', courseFile('future.yaml', '2099-12-31', 'stop')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nothing to reap');
    expect(await stateOf(`${ID}-learner1-vm1`)).toBe('running');
  });

  it('past it, --dry-run names what it would stop and changes nothing', async () => {
    const run = await runCli(['reap', courseFile('past.yaml', '2026-11-01', 'stop'), '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ action: 'stop', reaped: false, dryRun: true, stopped: [`${ID}-learner1-vm1`], alreadyStopped: [`${ID}-learner1-vm2`] });
    expect(await stateOf(`${ID}-learner1-vm1`)).toBe('running');
  });

  it('stop: the running container is stopped, not removed; the other course runs on; a second reap has nothing to do', async () => {
    const file = courseFile('past.yaml', '2026-11-01', 'stop');
    const run = await runCli(['reap', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`1 container(s) stopped: ${ID}-learner1-vm1`);
    expect(run.stdout).toContain('nothing was deleted');
    expect(await stateOf(`${ID}-learner1-vm1`)).toBe('exited');
    expect(await labelled(ID)).toEqual([`${ID}-learner1-vm1`, `${ID}-learner1-vm2`, `${ID}-net`]);
    expect(await stateOf(`${OTHER}-learner1-vm1`)).toBe('running');
    const again = await runCli(['reap', file, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ stopped: [], failed: [], alreadyStopped: [`${ID}-learner1-vm1`, `${ID}-learner1-vm2`] });
  }, 120_000);

  it('status warns that the course has expired, on stderr', async () => {
    const run = await runCli(['status', courseFile('past.yaml', '2026-11-01', 'stop')]);
    expect(run.stderr).toContain(`warning: course ${ID} expired 2026-11-02T00:00:00Z`);
  });

  it('destroy: --dry-run lists, then nothing labelled with the course is left, and the other course is untouched', async () => {
    const file = courseFile('destroy.yaml', '2026-11-01', 'destroy');
    const dry = await runCli(['reap', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would destroy everything of');
    expect(dry.stdout).toContain(`${ID}-learner1-vm2`);
    expect(await labelled(ID)).toHaveLength(3);
    const run = await runCli(['reap', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('destroying it as `down` does');
    expect(await labelled(ID)).toEqual([]);
    expect(await stateOf(`${OTHER}-learner1-vm1`)).toBe('running');
  }, 180_000);
});
