/**
 * From an empty rehearsal cloud to a course ready for learners, against the local target:
 * `up` + `configure` of examples/course.yaml (3 learners, the monitoring host, 2 workers;
 * cloud-native storage, the only variant the cloud runs) on both targets, side by side; then the
 * pipeline on the worker VMs with 1 worker and with 2, and their ratio. Everything goes through the
 * `resops` CLI as an instructor types it. Part of `npm run bench:cloud -- --ready`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAutomationKey } from '../src/access/admin-access.js';
import type { OpenStackClient } from '../src/openstack/client.js';
import { providerMirror } from '../test/helpers/provider-mirror.js';
import { liftQuotas } from './cloud-apply.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ReadyResult {
  cloud: { upSeconds: number; configureSeconds: number; readySeconds: number };
  local: { upSeconds: number; configureSeconds: number; readySeconds: number };
  /** Cloud over local, for the whole path to ready. */
  readyRatio: number;
  pipeline: { reads: number; oneWorkerSeconds: number; twoWorkersSeconds: number; speedup: number };
}

/** The sample with keys made here, the host allowed to SSH, object storage, and its own id per target. */
function courseFor(dir: string, target: 'openstack' | 'local', id: string): string {
  const keys = ['alice', 'bob', 'carol'].map((learner) => [learner, ensureAutomationKey({ dir, stateDir: join('keys', learner), id: learner }).publicKey.trim()] as const);
  let text = readFileSync(join(ROOT, 'examples', 'course.yaml'), 'utf8')
    .replace('id: resops-demo', `id: ${id}`)
    .replace(/^target: \w+/m, `target: ${target}`)
    .replace('name: openstack ', 'name: resops-local')
    .replace('ssh_allowed_cidrs: [192.0.2.0/24]', 'ssh_allowed_cidrs: [192.0.2.0/24, 172.24.4.1/32]')
    .replace(/storage: volume\b/, 'storage: object')
    .replace(/^state_dir: .*$/m, 'state_dir: state');
  for (const [learner, key] of keys) text = text.replace(new RegExp(`(- id: ${learner}[\\s\\S]*?ssh_public_key: ).*`), `$1${key}`);
  if (!text.includes(`id: ${id}`) || !text.includes('storage: object') || text.includes('@laptop')) throw new Error('examples/course.yaml changed shape: update bench/cloud-ready.ts');
  return text;
}

/** Runs `resops …`, its output kept (shown only when it fails); seconds it took. */
function resops(args: string[], env: Record<string, string>, log: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'resops.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) tail.push(line);
      tail.splice(0, Math.max(0, tail.length - 40));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      if (code !== 0) reject(new Error(`resops ${args.join(' ')} exited ${code} after ${seconds} s:\n${tail.join('\n')}`));
      else {
        log(`  resops ${args.slice(0, 2).join(' ')} … ${seconds} s`);
        resolve(seconds);
      }
    });
  });
}

export async function benchReady(admin: OpenStackClient, stateDir: string, reads: number, log: (line: string) => void): Promise<ReadyResult> {
  const mirror = await providerMirror();
  if ('skip' in mirror) throw new Error(`no provider: ${mirror.skip}`);
  await liftQuotas(admin);
  const dir = mkdtempSync(join(tmpdir(), 'resops-bench-ready-'));
  const cloudFile = join(dir, 'cloud.yaml');
  const localFile = join(dir, 'local.yaml');
  writeFileSync(cloudFile, courseFor(dir, 'openstack', 'ready-os'));
  writeFileSync(localFile, courseFor(dir, 'local', 'ready-loc'));
  const env = { RESOPS_CLOUD_DIR: stateDir, OS_CLIENT_CONFIG_FILE: join(stateDir, 'clouds.yaml'), OS_CLOUD: 'resops-local', RESOPS_PROVIDER_MIRROR: mirror.dir };
  const out = ['--out', join(dir, 'cdktf.out')];
  try {
    log('openstack: up, configure (3 learners, monitoring, 2 workers) …');
    const cloudUp = await resops(['up', cloudFile, ...out], env, log);
    const cloudConfigure = await resops(['configure', cloudFile, '--stacks', join(dir, 'cdktf.out')], env, log);
    log(`openstack: pipeline, ${reads} read pairs, 1 worker then 2 …`);
    const run = (workers: number) => resops(['pipeline', 'run', cloudFile, '--target', 'openstack', '--stacks', join(dir, 'cdktf.out'), '--workers', String(workers), '--reads', String(reads)], env, log);
    const one = await run(1);
    const two = await run(2);
    await resops(['down', cloudFile, ...out, '--sweep'], env, log);

    log('local: up, configure …');
    const localUp = await resops(['up', localFile], {}, log);
    const localConfigure = await resops(['configure', localFile], {}, log);
    await resops(['down', localFile], {}, log);

    const round = (n: number) => Math.round(n * 10) / 10;
    const cloud = { upSeconds: cloudUp, configureSeconds: cloudConfigure, readySeconds: round(cloudUp + cloudConfigure) };
    const local = { upSeconds: localUp, configureSeconds: localConfigure, readySeconds: round(localUp + localConfigure) };
    return {
      cloud,
      local,
      readyRatio: Math.round((cloud.readySeconds / local.readySeconds) * 100) / 100,
      pipeline: { reads, oneWorkerSeconds: one, twoWorkersSeconds: two, speedup: Math.round((one / two) * 100) / 100 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderReady(result: ReadyResult): string[] {
  const row = (what: string, r: ReadyResult['cloud']) => `${what.padEnd(10)} ${`${r.upSeconds} s`.padStart(9)} ${`${r.configureSeconds} s`.padStart(11)} ${`${r.readySeconds} s`.padStart(9)}`;
  return [
    'course ready for learners (examples/course.yaml: 3 learners, monitoring, 2 workers)',
    `${'target'.padEnd(10)} ${'up'.padStart(9)} ${'configure'.padStart(11)} ${'ready'.padStart(9)}`,
    row('openstack', result.cloud),
    row('local', result.local),
    `openstack / local: ${result.readyRatio}x`,
    `pipeline on worker VMs (${result.pipeline.reads} read pairs, object storage): 1 worker ${result.pipeline.oneWorkerSeconds} s, 2 workers ${result.pipeline.twoWorkersSeconds} s, speed-up ${result.pipeline.speedup}x`,
  ];
}
