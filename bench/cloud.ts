/**
 * The rehearsal cloud and the toolkit's OpenStack client, measured:
 * - cold image build (only with --cold, or when the image is missing: it takes ≈10+ min),
 * - start-to-ready of a fresh container (all APIs answer; a volume and a server scheduled),
 * - its memory once ready,
 * - latency of the client's calls against the same calls through the `openstack` CLI (run inside
 *   the container with `docker exec`, which adds ≈0.1 s of its own; the ratio is what matters).
 *
 * - servers that run (`--servers containers`): create → SSH on the floating IP for 10 servers at
 *   once, memory per idle server, the most idle servers with SSH under 2 s (bench/cloud-servers.ts);
 * - `up` and `down` of courses of 1, 5 and 20 learners through Terraform with the real provider,
 *   4 stacks at once versus 1, and seconds per learner (bench/cloud-apply.ts);
 * - with --ready: from the empty cloud to examples/course.yaml ready for learners (up + configure)
 *   next to the local target's, and the pipeline's 2-worker/1-worker ratio on worker VMs
 *   (bench/cloud-ready.ts; ≈40 min on two cores).
 *
 *   npm run bench:cloud                 # start-to-ready, memory, latencies, apply/destroy
 *   npm run bench:cloud -- --apply-sizes 1,5   # other class sizes ("" skips them)
 *   npm run bench:cloud -- --boot 0     # a cloud with fake servers, no server measurements
 *   npm run bench:cloud -- --boot 10 --max-servers 60   # servers at once; cap of the idle count
 *   npm run bench:cloud -- --cold       # also a no-cache image build
 *   npm run bench:cloud -- --ready --apply-sizes '' --boot 0 --reads 200000   # only the course-ready path
 *   npm run bench:cloud -- --json
 *
 * Uses its own container (resops-cloud-bench) and removes it afterwards; the ports must be free
 * (`resops cloud down` first if the rehearsal cloud runs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { storedPassword, LOCAL_CLOUD } from '../src/cloud/clouds-yaml.js';
import { buildImage, containerMemory, docker, imageState, requireDocker } from '../src/cloud/container.js';
import { adminConfig, cloudDown, cloudUp } from '../src/cloud/lifecycle.js';
import { ensureDebianBase } from '../src/local/base-image.js';
import { stderrProgress } from '../src/local/progress.js';
import { defaultSeed } from '../src/cloud/seed.js';
import { OpenStackClient } from '../src/openstack/client.js';
import { benchApply, renderApply, type ApplyResult } from './cloud-apply.js';
import { benchReady, renderReady, type ReadyResult } from './cloud-ready.js';
import { benchServers, renderServers, type ServersResult } from './cloud-servers.js';

const NAME = 'resops-cloud-bench';

const { values } = parseArgs({
  options: {
    cold: { type: 'boolean' },
    json: { type: 'boolean' },
    runs: { type: 'string', default: '10' },
    'cli-runs': { type: 'string', default: '3' },
    'apply-sizes': { type: 'string', default: '1,5,20' },
    boot: { type: 'string', default: '10' },
    'max-servers': { type: 'string', default: '40' },
    ready: { type: 'boolean' },
    reads: { type: 'string', default: '200000' },
  },
});
const runs = Number(values.runs);
const cliRuns = Number(values['cli-runs']);
const boot = Number(values.boot);
const maxServers = Number(values['max-servers']);
const log = (line: string) => process.stderr.write(`${line}\n`);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Runs `openstack …` in the container with the admin credentials in the exec's environment (not on a command line). */
async function cli(client: Docker, password: string, args: string[]): Promise<number> {
  const container = client.getContainer(NAME);
  const exec = await container.exec({
    Cmd: ['openstack', ...args, '-f', 'value'],
    Env: [
      'OS_AUTH_URL=http://127.0.0.1:5000/v3', 'OS_USERNAME=admin', `OS_PASSWORD=${password}`, 'OS_PROJECT_NAME=admin',
      'OS_USER_DOMAIN_NAME=Default', 'OS_PROJECT_DOMAIN_NAME=Default', 'OS_REGION_NAME=RegionOne', 'OS_IDENTITY_API_VERSION=3',
    ],
    AttachStdout: true,
    AttachStderr: true,
  });
  const started = performance.now();
  const stream = await exec.start({});
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
    stream.resume();
  });
  const elapsed = performance.now() - started;
  const inspect = await exec.inspect();
  if (inspect.ExitCode !== 0) throw new Error(`openstack ${args.join(' ')} exited ${inspect.ExitCode}`);
  return elapsed;
}

async function main(): Promise<void> {
  const client = docker();
  await requireDocker(client);
  const result: Record<string, unknown> = {};

  const image = await imageState(client);
  if (values.cold || !image.present) {
    log(values.cold ? 'cold build (no cache)…' : 'image missing: building (cold)…');
    // FROM debian:bookworm-slim: Docker Hub may not serve it here (cloud up does the same).
    await ensureDebianBase(client, stderrProgress(log));
    const ms = values.cold
      ? await (async () => {
          const started = Date.now();
          const stream = await client.buildImage(
            { context: (await import('../src/cloud/container.js')).CONTEXT_DIR, src: ['.'] },
            { t: 'resops/openstack:bench-cold', nocache: true, rm: true, forcerm: true },
          );
          await new Promise((resolve, reject) => client.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve(undefined))));
          const elapsed = Date.now() - started;
          // The no-cache copy is 2 GB of duplicate layers: measured, then gone.
          await client.getImage('resops/openstack:bench-cold').remove({ force: true });
          return elapsed;
        })()
      : await buildImage(client, log);
    result.coldBuildSeconds = Math.round(ms / 1000);
  } else {
    result.coldBuildSeconds = null;
    log('image present: cold build not measured (use --cold)');
  }

  const stateDir = mkdtempSync(join(tmpdir(), 'resops-bench-cloud-'));
  try {
    await cloudDown({ stateDir, name: NAME, purge: true, progress: log });
    const up = await cloudUp({ stateDir, name: NAME, seed: defaultSeed(), servers: boot > 0 || values.ready ? 'containers' : 'fake', progress: log });
    result.apisAnswerSeconds = Math.round(up.apisMs / 100) / 10;
    result.startToReadySeconds = Math.round(up.readyMs / 100) / 10;
    const memory = await containerMemory(client, NAME);
    result.memoryGiB = memory === undefined ? null : Math.round((memory / 2 ** 30) * 100) / 100;

    const password = storedPassword(stateDir, LOCAL_CLOUD)!;
    const config = adminConfig(password, 'bench');
    const os = await OpenStackClient.connect(config);
    const calls: Array<{ name: string; client: () => Promise<unknown>; cli: string[] }> = [
      { name: 'token issue', client: () => OpenStackClient.connect(config), cli: ['token', 'issue'] },
      { name: 'server list', client: () => os.compute.listServers(), cli: ['server', 'list'] },
      { name: 'flavor list', client: () => os.compute.listFlavors(), cli: ['flavor', 'list'] },
      { name: 'network list', client: () => os.network.listNetworks(), cli: ['network', 'list'] },
      { name: 'volume list', client: () => os.volume.listVolumes(), cli: ['volume', 'list'] },
      { name: 'image list', client: () => os.image.listImages(), cli: ['image', 'list'] },
    ];
    const latencies: Array<{ call: string; clientMs: number; cliMs: number; ratio: number }> = [];
    for (const call of calls) {
      await call.client(); // warm-up: first calls pay for Python imports on the server side
      const clientSamples: number[] = [];
      for (let i = 0; i < runs; i++) clientSamples.push(await time(call.client));
      const cliSamples: number[] = [];
      for (let i = 0; i < cliRuns; i++) cliSamples.push(await cli(client, password, call.cli));
      const clientMs = Math.round(median(clientSamples) * 10) / 10;
      const cliMs = Math.round(median(cliSamples));
      latencies.push({ call: call.name, clientMs, cliMs, ratio: Math.round(cliMs / clientMs) });
      log(`  ${call.name}: client ${clientMs} ms, CLI ${cliMs} ms`);
    }
    result.latencies = latencies;

    if (boot > 0) result.servers = await benchServers(os, client, NAME, { atOnce: boot, cap: Math.max(boot, maxServers), batch: 10 }, log);

    const sizes = (values['apply-sizes'] ?? '').split(',').filter(Boolean).map(Number);
    if (sizes.length > 0) {
      log(`apply and destroy through Terraform for ${sizes.join(', ')} learner(s), 4 stacks at once and 1 …`);
      process.env.RESOPS_CLOUD_DIR = stateDir;
      result.apply = await benchApply(os, sizes, log);
    }
    if (values.ready) result.ready = await benchReady(os, stateDir, Number(values.reads), log);
  } finally {
    await cloudDown({ stateDir, name: NAME, purge: true, progress: log });
    rmSync(stateDir, { recursive: true, force: true });
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`cold image build     ${result.coldBuildSeconds === null ? 'not measured (image cached; --cold measures it)' : `${String(result.coldBuildSeconds)} s`}`);
  out(`APIs answer after    ${String(result.apisAnswerSeconds)} s`);
  out(`start-to-ready       ${String(result.startToReadySeconds)} s (a volume and a server scheduled)`);
  out(`memory when ready    ${String(result.memoryGiB)} GiB`);
  out('call                 client (median)   openstack CLI (median)   ratio');
  for (const l of result.latencies as Array<{ call: string; clientMs: number; cliMs: number; ratio: number }>) {
    out(`${l.call.padEnd(20)} ${`${l.clientMs} ms`.padStart(15)}   ${`${l.cliMs} ms`.padStart(22)}   ${`${l.ratio}x`.padStart(5)}`);
  }
  if (result.servers) {
    out('');
    for (const line of renderServers(result.servers as ServersResult)) out(line);
  }
  if (result.apply) {
    out('');
    for (const line of renderApply(result.apply as ApplyResult)) out(line);
  }
  if (result.ready) {
    out('');
    for (const line of renderReady(result.ready as ReadyResult)) out(line);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cloud: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
