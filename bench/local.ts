/**
 * Timing of the local target for 3 learners + monitoring on this machine's Docker:
 *   cold up  — every resops image built from scratch, then `up` (debian:bookworm-slim is kept)
 *   down
 *   warm up  — images built, nothing running: containers created until everything is healthy
 *   no-op up — a second `up` that finds nothing to change
 *   down
 * Targets (issue 3): warm up ≤ 30 s, down ≤ 10 s.
 *
 * When other containers use the resops images (another course is up), the images cannot be
 * removed; the cold figure is then the time of a no-cache build of every context under a bench
 * tag plus the warm up, and is labelled as such.
 *
 *   npm run bench:local              # cold + warm
 *   npm run bench:local -- --warm    # skip the cold build (minutes on 2 cores)
 *   npm run bench:local -- --json
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type Docker from 'dockerode';
import { loadCourseText } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { TargetError } from '../src/targets/driver.js';
import { connectDocker, LOCAL_LABELS } from '../src/local/docker.js';
import { downLocal } from '../src/local/down.js';
import { localDriver } from '../src/local/driver.js';
import { buildImage, IMAGE_NAMES, readContext, type ImageName } from '../src/local/images.js';
import { stderrProgress } from '../src/local/progress.js';

const { values } = parseArgs({ options: { warm: { type: 'boolean' }, json: { type: 'boolean' } } });
const COURSE_ID = 'bench-local';

function courseYaml(keys: string[]): string {
  return `
course: { id: ${COURSE_ID}, title: local target benchmark }
target: local
cloud:
  name: bench
  region: r
  external_network: public
  image: debian-12
  image_user: debian
  flavors:
    learner: { name: s, vcpus: 1, ram_mb: 1024 }
    monitoring: { name: m, vcpus: 1, ram_mb: 1024 }
    worker: { name: l, vcpus: 1, ram_mb: 1024 }
network: { cidr: 10.199.0.0/16 }
learners:
${keys.map((key, i) => `  - { id: l${i + 1}, name: Learner ${i + 1}, ssh_public_key: "${key}" }`).join('\n')}
monitoring: { enabled: true }
pipeline: { workers: 0 }
local:
  ssh_port_base: 32200
  ports: { prometheus: 32290, pushgateway: 32291, alertmanager: 32293, gnocchi: 32241, swift: 32280 }
`;
}

/** Runs a driver command with its stdout (tables, JSON) swallowed; progress stays on stderr. */
async function timed(label: string, run: () => Promise<number>): Promise<number> {
  process.stderr.write(`\n=== ${label}\n`);
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const started = Date.now();
  try {
    const code = await run();
    if (code !== 0) throw new Error(`${label}: exit code ${code}`);
  } finally {
    process.stdout.write = write;
  }
  return (Date.now() - started) / 1000;
}

/** Containers outside this benchmark that run a resops image (they pin the images). */
async function otherImageUsers(docker: Docker): Promise<string[]> {
  const images = new Set((await docker.listImages({ filters: { label: [LOCAL_LABELS.image] } })).map((i) => i.Id));
  const containers = await docker.listContainers({ all: true });
  return containers.filter((c) => images.has(c.ImageID) && c.Labels['resops.course'] !== COURSE_ID).map((c) => (c.Names[0] ?? '').slice(1));
}

/** Every context built with no cache under `resops-bench/`, parents first, two at a time. */
async function noCacheBuild(docker: Docker): Promise<number> {
  const progress = stderrProgress();
  const started = Date.now();
  const build = (name: ImageName) => readContext(name).then((context) => buildImage(docker, context, `resops-bench/${name}:latest`, 'bench', progress, { noCache: true }));
  await build('base');
  const rest = IMAGE_NAMES.filter((n) => n !== 'base');
  const queue = [...rest];
  await Promise.all([0, 1].map(async () => {
    for (let name = queue.shift(); name; name = queue.shift()) await build(name);
  }));
  for (const name of IMAGE_NAMES) await docker.getImage(`resops-bench/${name}:latest`).remove().catch(() => undefined);
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'resops-bench-local-'));
  const keys = ['l1', 'l2', 'l3'].map((name) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8').trim();
  });
  const course: Course = loadCourseText(courseYaml(keys), 'bench-local.yaml', dir, { target: 'local' });
  const quiet = { json: true };
  const results: Record<string, number> = {};
  const notes: string[] = [];
  try {
    const { docker } = await connectDocker();
    await downLocal(docker, course, stderrProgress());
    if (!values.warm) {
      const users = await otherImageUsers(docker);
      if (users.length) {
        notes.push(`resops images are in use (${users.slice(0, 3).join(', ')}${users.length > 3 ? ', …' : ''}): cold = no-cache build + warm up`);
        process.stderr.write('\n=== cold image build (no cache)\n');
        results['cold image build (no cache)'] = await noCacheBuild(docker);
      } else {
        await downLocal(docker, course, stderrProgress(), { images: true });
        results['cold up (builds images)'] = await timed('cold up', () => localDriver.up(course, quiet));
        results['down'] = await timed('down', () => localDriver.down(course, quiet));
      }
    }
    results['warm up (images built)'] = await timed('warm up', () => localDriver.up(course, quiet));
    results['no-op up'] = await timed('no-op up', () => localDriver.up(course, quiet));
    results[results['down'] === undefined ? 'down' : 'down (after warm up)'] = await timed('down', () => localDriver.down(course, quiet));
    if (results['cold image build (no cache)'] !== undefined) {
      results['cold up (estimated)'] = results['cold image build (no cache)'] + results['warm up (images built)']!;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const machine = `${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ learners: 3, machine, seconds: results, notes }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`\nlocal target, 3 learners + monitoring (${machine})\n`);
  for (const [what, seconds] of Object.entries(results)) process.stdout.write(`  ${what.padEnd(28)} ${seconds.toFixed(1).padStart(7)} s\n`);
  for (const note of notes) process.stdout.write(`  note: ${note}\n`);
  process.stdout.write('  targets: warm up ≤ 30 s, down ≤ 10 s\n');
}

main().catch((error: unknown) => {
  if (error instanceof TargetError) {
    process.stderr.write(`bench:local: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
  } else {
    process.stderr.write(`bench:local: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
