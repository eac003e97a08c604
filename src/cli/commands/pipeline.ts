/**
 * `resops pipeline run|scale`: the variant-calling pipeline on the local target's worker
 * containers (src/pipeline/). Progress per stage on stderr; the summary (or JSON) on stdout.
 */
import { PIPELINE_STORAGES, type Course, type PipelineStorage } from '../../course/model.js';
import { planRun } from '../../pipeline/options.js';
import { DEFAULTS, runPipeline, type PipelineResult } from '../../pipeline/run.js';
import { runScale, type ScaleResult } from '../../pipeline/scale.js';
import { cheapestMeetingDeadline } from '../../pipeline/amdahl.js';
import { formatTable } from '../table.js';
import { EXIT, print, UsageError, type CliCommand, type OptionValues } from '../command.js';
import { learnerOption, loadCourseArg, outDirArg, parseTarget } from '../course-file.js';
import { ANSIBLE_OPTIONS, keysArg } from './inventory.js';

/** Syntax only: what a value may be is planRun's to say (src/pipeline/options.ts), for every caller. */
function wholeNumber(flag: string, value: string | boolean | undefined, fallback: number | undefined): number {
  if (value === undefined || typeof value === 'boolean') {
    if (fallback === undefined) throw new UsageError(`--${flag} is required`, `e.g. --${flag} 1`);
    return fallback;
  }
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} ${value}: expected a whole number`);
  return Number(value);
}

function workerList(value: string | boolean | undefined): number[] {
  if (typeof value !== 'string') throw new UsageError('--workers is required', 'e.g. --workers 1,2,4,8');
  const parts = value.split(',').map((p) => p.trim());
  if (!parts.length || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 64)) {
    throw new UsageError(`--workers ${value}: expected a comma-separated list of whole numbers from 1 to 64`, 'e.g. --workers 1,2,4,8');
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

function storageArg(value: string | boolean | undefined): PipelineStorage | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (!(PIPELINE_STORAGES as readonly string[]).includes(value)) throw new UsageError(`--storage ${value}: unknown storage`, `use one of: ${PIPELINE_STORAGES.join(', ')}`);
  return value as PipelineStorage;
}

function common(values: OptionValues) {
  const seed = values.seed === undefined ? undefined : wholeNumber('seed', values.seed, undefined);
  const shards = values.shards === undefined ? undefined : wholeNumber('shards', values.shards, undefined);
  const storage = storageArg(values.storage);
  return {
    reads: wholeNumber('reads', values.reads, DEFAULTS.reads),
    ...(seed !== undefined ? { seed } : {}),
    ...(shards !== undefined ? { shards } : {}),
    ...(storage ? { storage } : {}),
  };
}

function printRun(r: PipelineResult): void {
  print(`run ${r.run}: ${r.workers} worker${r.workers === 1 ? '' : 's'}, storage ${r.storage}, ${r.reads} read pairs, wall time ${r.wallSeconds.toFixed(1)}s`);
  print(`accuracy: recall ${r.evaluation.recall.toFixed(3)}, precision ${r.evaluation.precision.toFixed(3)}, F1 ${r.evaluation.f1.toFixed(3)} (${r.evaluation.truePositives}/${r.evaluation.truth} simulated SNPs found, ${r.evaluation.falsePositives} false)`);
  print();
  for (const line of formatTable(['STAGE', 'SECONDS', 'WORKER', 'READS'], r.stages.map((s) => [s.stage, s.seconds.toFixed(2), s.worker, s.reads ? String(s.reads) : '']), ['left', 'right', 'left', 'right'])) print(line);
  print();
  const images = r.images.filter((i) => i.workersOf !== undefined);
  // The openstack target has no images: its VMs' tools come from Ansible.
  if (images.length) for (const line of formatTable(
    ['IMAGE', 'SIZE (MB)', 'STARTED (s)', 'REFERENCE READY (s)', 'MEASURED IN'],
    images.map((i) => [i.image, i.sizeMb.toFixed(1), i.startup?.containerStartSeconds?.toFixed(1) ?? '—', i.startup ? i.startup.readySeconds.toFixed(2) : '—', i.startup ? (i.startup.run === r.run ? 'this run' : i.startup.run) : 'no run yet']),
    ['left', 'right', 'right', 'right', 'left'],
  ))
    print(line);
  if (images.length) print();
  if (r.scheduler) {
    const s = r.scheduler;
    print(`Slurm: ${s.slurmJobs} jobs, each ${s.overheadPerJobSeconds.toFixed(2)}s beyond its work (medians: dispatch ${s.dispatchMedianSeconds.toFixed(2)}s, start-up on the node ${s.jobStartupMedianSeconds.toFixed(2)}s, noticed by Snakemake ${s.noticedMedianSeconds.toFixed(2)}s)`);
    print();
  }
  if (r.lostWorkers.length) print(`workers lost during the run: ${r.lostWorkers.join(', ')} (Slurm requeued their jobs on the others)`);
  print(r.metrics.problem ? `metrics not pushed: ${r.metrics.problem}` : `metrics: Pushgateway run="${r.run}", Gnocchi resource ${r.metrics.gnocchiResource}`);
  print(`report: ${r.reportDir}/report.md (also report.json, calls.vcf)`);
}

function printScale(r: ScaleResult): void {
  const cost = r.workerHourPrice !== undefined;
  const headers = ['WORKERS', 'MEDIAN (s)', 'SPEEDUP', 'EFFICIENCY', ...(cost ? [`COST/RUN (${r.currency})`] : [])];
  const rows = r.rows.map((row) => [String(row.workers), row.medianSeconds.toFixed(1), row.speedup.toFixed(2), `${(row.efficiency * 100).toFixed(0)}%`, ...(cost ? [row.cost!.toFixed(5)] : [])]);
  for (const line of formatTable(headers, rows, ['right', 'right', 'right', 'right', 'right'])) print(line);
  print();
  if (r.fit) {
    const se = r.fit.standardError !== undefined ? ` ± ${r.fit.standardError.toFixed(3)}` : '';
    print(`Amdahl fit: serial fraction ${r.fit.serialFraction.toFixed(3)}${se} → speedup limit ${Number.isFinite(r.fit.maxSpeedup) ? r.fit.maxSpeedup.toFixed(1) : '∞'}× (${r.fit.points} runs)`);
    const t1 = r.rows.find((row) => row.workers === 1)?.medianSeconds;
    if (t1 !== undefined) {
      const deadline = t1 / 2;
      const pick = cheapestMeetingDeadline(t1, r.fit.serialFraction, deadline);
      print(`example: to finish within ${deadline.toFixed(0)}s (half the 1-worker time) the cheapest choice is ${pick ? `${pick.workers} workers (predicted ${pick.seconds.toFixed(1)}s)` : 'none: the serial part alone is too long'}`);
    }
  } else print('Amdahl fit: needs at least two worker counts');
  if (!cost) print('cost per run: the course file has no cloud.prices');
  print(`VCFs of all runs identical: ${r.identicalVcfs ? 'yes' : 'NO'}`);
  print(`plot: ${r.svg}${r.png ? ` and ${r.png}` : ` (no PNG: ${r.pngProblem})`}`);
}

/** The learner's runs go to their dashboard when they have one; a dashboard that is down keeps them queued. */
async function sendToDashboard(course: Course, learner: string | undefined): Promise<void> {
  if (learner === undefined) return;
  const [{ sendReports }, { exercisesStateDir }] = await Promise.all([import('../../dashboard/reporter.js'), import('../../exercises/progress.js')]);
  const sent = await sendReports(exercisesStateDir(course), learner);
  if (sent?.problem) process.stderr.write(`dashboard: ${sent.problem}\n`);
  else if (sent && sent.sent > 0) process.stderr.write(`dashboard: reported to your instructor's dashboard\n`);
}

/** Both worker images, built when missing or changed; their sizes are the first thing to compare. */
async function buildImages(json: boolean): Promise<number> {
  const [{ connectDocker }, { ensurePipelineImage, pipelineImageTag }, { stderrProgress }, { inspectImage }] = await Promise.all([
    import('../../local/docker.js'),
    import('../../pipeline/images.js'),
    import('../../local/progress.js'),
    import('../../local/images.js'),
  ]);
  const { docker } = await connectDocker();
  const progress = stderrProgress();
  const rows: Array<{ image: string; reference: string; sizeMb: number }> = [];
  for (const [name, reference] of [['pipeline', 'in the image'], ['pipeline-cloud', 'fetched at run time']] as const) {
    await ensurePipelineImage(docker, name, progress);
    const info = await inspectImage(docker, pipelineImageTag(name));
    const size = (await docker.getImage(pipelineImageTag(name)).inspect()).Size;
    if (info) rows.push({ image: pipelineImageTag(name), reference, sizeMb: Number((size / 1e6).toFixed(2)) });
  }
  if (json) print(JSON.stringify({ images: rows }, null, 2));
  else for (const line of formatTable(['IMAGE', 'REFERENCE', 'SIZE (MB)'], rows.map((r) => [r.image, r.reference, r.sizeMb.toFixed(2)]), ['left', 'left', 'right'])) print(line);
  return EXIT.ok;
}

export const command: CliCommand = {
  usage: 'build FILE [--json]\n       resops pipeline run FILE --workers N [--reads R] [--storage volume|object] [--seed S] [--shards K] [--target T] [--key FILE] [--stacks DIR] [--learner ID] [--json]\n       resops pipeline scale FILE --workers 1,2,4,8 [--repeat 3] [--reads R] [--storage S] [--out DIR] [--target T] [--key FILE] [--stacks DIR] [--learner ID] [--json]',
  description: [
    'build: builds the two worker images (reference in the image; reference fetched at run time)',
    'and prints their sizes.',
    'run: the Snakemake workflow (containers/pipeline/workflow) on a Slurm cluster: locally the head',
    '`<id>-head` (slurmctld, Snakemake) and N worker nodes `<id>-worker<k>` (slurmd); on openstack',
    'the monitoring host and the first N worker VMs as `configure` set them up, reached over SSH',
    '(--key, --stacks as for configure); cloud-native files go through the object store\'s S3 API',
    '(cloud.s3_endpoint) with an EC2 credential made for the run and deleted after it, lift-and-shift',
    'files through the pipeline volume that `configure` mounts on every Slurm machine (sshfs). It simulates',
    'reads with known SNPs (dwgsim) from the lambda-phage genome, QC (fastp) and alignment in',
    'shards (bwa mem), merge (samtools), calling by region (bcftools) and evaluation against the',
    'truth; Slurm requeues the job of a node that dies. Storage `volume` shares a Docker volume locally (lift-and-shift);',
    '`object` keeps everything in Swift (`<id>-swift`) with workers that fetch the reference at',
    'run time. Each stage pushes metrics to the course\'s Pushgateway; per-shard measures go to',
    'Gnocchi in one batch request. Report: <state dir>/pipeline/<run>/report.{md,json}.',
    'scale: runs each worker count --repeat times, prints median wall time, speedup, efficiency and',
    'cost per run, fits Amdahl\'s law and writes scaling.svg / scaling.png. On openstack a count is the first N worker VMs of the course.',
    'With --learner ID (or RESOPS_LEARNER) a run or experiment is that learner\'s: its report names them,',
    'and when they have a dashboard file (`resops dashboard tokens`) it is sent to the course\'s dashboard.',
  ],
  options: {
    workers: { type: 'string', valueName: 'N', description: 'run: number of workers; scale: comma-separated counts' },
    reads: { type: 'string', valueName: 'R', description: `read pairs to simulate (default ${DEFAULTS.reads})` },
    storage: { type: 'string', valueName: 'S', description: 'volume or object (default: the course\'s pipeline.storage; volume when it is both)' },
    seed: { type: 'string', valueName: 'S', description: `simulation seed (default ${DEFAULTS.seed})` },
    shards: { type: 'string', valueName: 'K', description: `shard jobs (default ${DEFAULTS.shards}, independent of --workers; calling cuts the genome in ${DEFAULTS.regions} regions, also independent of it)` },
    repeat: { type: 'string', valueName: 'K', description: 'scale: runs per worker count (default 3)' },
    out: { type: 'string', valueName: 'DIR', description: 'run: report directory; scale: plot directory' },
    target: ANSIBLE_OPTIONS.target,
    key: ANSIBLE_OPTIONS.key,
    stacks: ANSIBLE_OPTIONS.stacks,
    tofu: ANSIBLE_OPTIONS.tofu,
    learner: { type: 'string', valueName: 'ID', description: 'run, scale: the learner who runs it (default: RESOPS_LEARNER): named in the report and sent to their dashboard' },
    json: { type: 'boolean', description: 'print the result as JSON on stdout' },
  },
  positionals: [2, 2],
  notes: ['exit codes: 0 done, 1 the run failed (a stage failed or every worker was lost), 2 invalid course or flags'],
  async run({ values, positionals }) {
    const [sub, file] = positionals as [string, string];
    if (sub !== 'run' && sub !== 'scale' && sub !== 'build') throw new UsageError(`pipeline ${sub}: unknown subcommand`, 'use `resops pipeline build|run|scale FILE …`');
    const course = loadCourseArg(file, `pipeline ${sub}`, parseTarget(values.target));
    if (sub === 'build') return buildImages(values.json === true);
    const out = outDirArg(values.out);
    const learner = learnerOption(course, values.learner);
    const as = learner ? { learner: learner.id } : {};
    const stacks = outDirArg(values.stacks);
    const openstack = course.target === 'openstack' ? { openstack: { keys: keysArg(values), ...(stacks ? { stacksDir: stacks } : {}), ...(values.tofu === true ? { tofu: true } : {}) } } : {};
    if (sub === 'run') {
      const options = { workers: wholeNumber('workers', values.workers, course.pipeline.workers || undefined), ...common(values), ...(out ? { outDir: out } : {}), ...openstack, ...as };
      // Checked before anything starts.
      planRun(course, options);
      const result = await runPipeline(course, options);
      await sendToDashboard(course, learner?.id);
      if (values.json) {
        const { vcf: _vcf, ...summary } = result;
        print(JSON.stringify(summary, null, 2));
      } else printRun(result);
      return EXIT.ok;
    }
    const workers = workerList(values.workers);
    // On openstack a count is the first N of the course's worker VMs: scale makes none.
    if (course.target === 'openstack' && workers[workers.length - 1]! > course.pipeline.workers) {
      throw new UsageError(`pipeline scale --workers ${workers.join(',')}: course ${course.id} has ${course.pipeline.workers} worker VM(s) (pipeline.workers in ${course.file})`, `on openstack, scale uses the first N workers of the course: raise pipeline.workers, then \`resops up\` and \`resops configure\``);
    }
    const repeat = wholeNumber('repeat', values.repeat, 3);
    if (repeat < 1) throw new UsageError(`--repeat ${repeat}: expected a whole number ≥ 1`);
    planRun(course, { workers: workers[workers.length - 1]!, ...common(values) });
    const result = await runScale(course, { workers, repeat, ...common(values), ...(out ? { outDir: out } : {}), ...openstack, ...as });
    await sendToDashboard(course, learner?.id);
    if (values.json) print(JSON.stringify(result, null, 2));
    else printScale(result);
    return EXIT.ok;
  },
};
