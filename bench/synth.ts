/**
 * How synth scales with the number of learners: builds courses of 1, 10, 100 and 500 learners in
 * memory, synthesizes each in a fresh child process (so heap and module caches never carry over),
 * and reports wall time, peak RSS, the marginal cost per learner (least-squares slope) and how
 * linear the growth is (R²).
 *
 *   npm run bench:synth                     # 1, 10, 100, 500 learners
 *   npm run bench:synth -- --sizes 1,10,50  # other sizes
 *   npm run bench:synth -- --json
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const DEFAULT_SIZES = [1, 10, 100, 500];
// A real ed25519 public key (its private half was never kept); every learner may share it.
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKCRUj+jC8yGg+v55xXdi9JlnW6io7tqO4WHdN0Pyrf1 bench@resops';

/** Course file text for `learners` learners; a /14 holds 1023 learner /24 subnets. */
export function benchCourseYaml(learners: number, options: { vms?: number } = {}): string {
  const rows = Array.from({ length: learners }, (_, i) => {
    const id = `l${String(i + 1).padStart(3, '0')}`;
    return `  - { id: ${id}, name: Learner ${i + 1}, ssh_public_key: ${PUBLIC_KEY} }`;
  });
  return [
    'course: { id: bench, title: Synth benchmark, start: 2025-01-06, end: 2025-01-10 }',
    'target: openstack',
    'cloud:',
    '  name: bench',
    '  external_network: public',
    '  image: debian-12',
    '  ssh_allowed_cidrs: [192.0.2.0/24]',
    '  flavors:',
    '    learner: { name: m1.small, vcpus: 1, ram_mb: 2048 }',
    '    monitoring: { name: m1.medium, vcpus: 2, ram_mb: 4096 }',
    '    worker: { name: m1.large, vcpus: 4, ram_mb: 8192 }',
    'network: { cidr: 10.0.0.0/14, subnet_prefix: 24 }',
    `environment: { vms: ${options.vms ?? 2}, volume_gb: 10 }`,
    'pipeline: { workers: 2, storage: volume }',
    'learners:',
    ...rows,
    '',
  ].join('\n');
}

interface Sample {
  learners: number;
  stacks: number;
  /** synthCourse alone, inside the child. */
  synthMs: number;
  /** Child process from spawn to exit (node + tsx start-up + imports + synth). */
  processMs: number;
  /** Peak resident set of the child, MB. */
  maxRssMb: number;
  /** Bytes of synthesized JSON. */
  outputBytes: number;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(path) : statSync(path).size;
  }
  return total;
}

async function child(learners: number): Promise<void> {
  const { loadCourseText } = await import('../src/course/load.js');
  const { synthCourse } = await import('../src/synth/synthesize.js');
  const dir = mkdtempSync(join(tmpdir(), 'resops-bench-'));
  try {
    const course = loadCourseText(benchCourseYaml(learners), 'bench.yaml', dir);
    const outDir = join(dir, 'cdktf.out');
    const t0 = performance.now();
    const result = synthCourse(course, outDir);
    const synthMs = performance.now() - t0;
    const sample = {
      learners,
      stacks: result.stacks.length,
      synthMs,
      outputBytes: dirBytes(outDir),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`${JSON.stringify(sample)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure(learners: number): Sample {
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const self = fileURLToPath(import.meta.url);
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [tsxCli, self, '--child', String(learners)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  const processMs = performance.now() - t0;
  if (run.status !== 0) {
    throw new Error(`synth of ${learners} learners failed (exit ${run.status}):\n${run.stderr.trim()}`);
  }
  const line = run.stdout.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(line) as Omit<Sample, 'processMs'>), processMs };
}

/** Least-squares line y = a + b·x and its R². */
export function fitLine(xs: number[], ys: number[]): { slope: number; intercept: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, r2 };
}

/** R² at or above this counts as linear growth. */
const LINEAR_R2 = 0.98;

async function parent(sizes: number[], json: boolean): Promise<void> {
  const { formatTable } = await import('../src/cli/table.js');
  const samples: Sample[] = [];
  for (const size of sizes) {
    if (!json) process.stderr.write(`synthesizing ${size} learner${size === 1 ? '' : 's'} in a fresh process …\n`);
    samples.push(measure(size));
  }
  const xs = samples.map((s) => s.learners);
  const time = fitLine(xs, samples.map((s) => s.synthMs));
  const rss = fitLine(xs, samples.map((s) => s.maxRssMb));
  const bytes = fitLine(xs, samples.map((s) => s.outputBytes));
  if (json) {
    process.stdout.write(`${JSON.stringify({ samples, fit: { synthMs: time, maxRssMb: rss, outputBytes: bytes } }, null, 2)}\n`);
    return;
  }
  const rows = samples.map((s) => [
    String(s.learners),
    String(s.stacks),
    `${(s.synthMs / 1000).toFixed(2)} s`,
    `${(s.processMs / 1000).toFixed(2)} s`,
    `${s.maxRssMb.toFixed(0)} MB`,
    `${(s.outputBytes / 1024).toFixed(0)} KiB`,
  ]);
  const lines = formatTable(['learners', 'stacks', 'synth', 'process', 'peak RSS', 'output'], rows, ['right', 'right', 'right', 'right', 'right', 'right']);
  const verdict = (r2: number) => (r2 >= LINEAR_R2 ? 'linear' : 'NOT linear');
  lines.push(
    '',
    `marginal cost per learner: ${time.slope.toFixed(1)} ms synth, ${rss.slope.toFixed(2)} MB peak RSS, ${(bytes.slope / 1024).toFixed(1)} KiB output`,
    `growth: synth time ${verdict(time.r2)} (R² ${time.r2.toFixed(4)}), peak RSS ${verdict(rss.r2)} (R² ${rss.r2.toFixed(4)}), output ${verdict(bytes.r2)} (R² ${bytes.r2.toFixed(4)})`,
  );
  if (samples.length >= 3) {
    // R² of 4 points can hide a bend; compare the slopes of the first and last segment too.
    const seg = (a: Sample, b: Sample) => (b.synthMs - a.synthMs) / (b.learners - a.learners);
    const early = seg(samples[0]!, samples[1]!);
    const late = seg(samples[samples.length - 2]!, samples[samples.length - 1]!);
    lines.push(`per-learner synth time: ${early.toFixed(1)} ms between the first two sizes, ${late.toFixed(1)} ms between the last two`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { child: { type: 'string' }, sizes: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (values.child !== undefined) {
    await child(Number(values.child));
    return;
  }
  const sizes = values.sizes ? values.sizes.split(',').map((s) => Number(s.trim())) : DEFAULT_SIZES;
  if (sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 500)) {
    process.stderr.write('bench:synth: --sizes takes learner counts from 1 to 500, e.g. --sizes 1,10,100\n');
    process.exit(2);
  }
  await parent(sizes, values.json === true);
}

// Importable (benchCourseYaml, fitLine) without running the benchmark.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
