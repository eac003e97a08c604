/**
 * The pipeline on the course's engines: Snakemake (the workflow in containers/pipeline/workflow)
 * on the head, submitting every job to Slurm, which runs it on a worker. What stays here is
 * watching: Snakemake's log gives the stages and their progress, `squeue` where each job runs,
 * and afterwards the job script's times, the rules' benchmark files and fastp's reports give
 * each shard's measures and Slurm's own delay per job.
 */
import type { Progress } from '../local/progress.js';
import { TargetError } from '../targets/driver.js';
import { median } from './amdahl.js';
import { DATA_DIR } from './cluster.js';
import type { PipelineBucket, Worker } from './infra.js';
import { shellQuote, type NodeShell } from './node-shell.js';
import { s3ClientLines } from './s3-python.js';
import type { ShardMeasure, StageObserver, WorkerMeasure } from './metrics.js';
import type { Evaluation, PipelineEvent, RunPlan, SchedulerOverhead, Stage, StageTiming } from './model.js';
import { benchmarkSeconds, parseJobRestarts, parseJobTimes, SnakemakeLog, type JobTimes, type SnakemakeJob } from './snakemake-log.js';

export const WORKFLOW_DIR = '/opt/resops/workflow';
/** Which of the report's stages each rule belongs to: the three steps of a shard are `align`. */
const RULE_STAGE: Record<string, Stage> = { simulate: 'simulate', reads: 'align', qc: 'align', align: 'align', merge: 'merge', call: 'call', gather: 'gather', evaluate: 'evaluate' };
const STAGE_ORDER: Stage[] = ['simulate', 'align', 'merge', 'call', 'gather', 'evaluate'];
/** A run longer than this is stuck (a node that never came back, say): it fails and says so. */
export const RUN_TIMEOUT_MS = 60 * 60_000;
const NODES_READY_TIMEOUT_MS = 90_000;

/**
 * The cluster a run uses, on either target: the head (slurmctld; Snakemake runs there) and the
 * run's workers, each a node name for the shell and its name in Slurm.
 */
export interface EngineCluster {
  head: string;
  workers: Worker[];
  /**
   * Where runs' directories are made on every node (default DATA_DIR). A cloud-native run on a
   * course that also mounts the shared directory at DATA_DIR works elsewhere: its nodes share
   * nothing but the bucket.
   */
  dataDir?: string;
  /** Object storage runs: the course's bucket, read afterwards through Swift's own API. */
  swift?: PipelineBucket;
  objectEnv?: {
    /** Snakemake's S3 remote files: endpoint and keys, given to Snakemake's environment only. */
    s3: Record<string, string>;
    /** `resops-pipeline ready` (local nodes, which fetch the reference): Swift's own API. */
    swift?: Record<string, string>;
  };
}

export interface SlurmRunContext {
  shell: NodeShell;
  cluster: EngineCluster;
  plan: RunPlan;
  progress: Progress;
  emit: (event: PipelineEvent) => void;
  observer: StageObserver;
}

export interface SlurmOutcome {
  timings: StageTiming[];
  shardJobs: ShardMeasure[];
  lost: string[];
  evaluation: Evaluation;
  vcf: string;
  scheduler: SchedulerOverhead;
  readySeconds: number;
  /** Every worker name the run pushed progress for (the nodes, `head`). */
  reporters: string[];
}

const seconds = (ms: number) => ms / 1000;

/** No job ran once (every one was requeued): no overhead measured, 0. */
const medianOrZero = (values: number[]) => (values.length ? median(values) : 0);

async function onNode(context: Pick<SlurmRunContext, 'shell'>, name: string, cmd: string[], timeoutMs = 30_000, env: Record<string, string> = {}) {
  return context.shell.run(name, cmd, { env, timeoutMs });
}

/**
 * Cloud-native nodes hold no reference: each fetches it from Swift and indexes it, once per
 * container (the head too: the Snakefile cuts regions from its index). Seconds it took.
 */
/**
 * Cloud-native runs fetch the reference from object storage when they start, and index it, on
 * every node of the run: the containers of the local target (`resops-pipeline ready`, Swift's
 * API), the VMs of the cloud (the S3 API, with the run's credential; the head first puts the
 * FASTA configure gave it in the bucket when it is not there). Seconds taken.
 */
async function fetchReference(context: SlurmRunContext): Promise<number> {
  const env = context.cluster.objectEnv;
  if (env?.swift) return fetchReferenceThroughSwift(context, env.swift);
  if (env?.s3 && context.cluster.swift) return fetchReferenceThroughS3(context, env.s3, context.cluster.swift.container);
  return 0;
}

/** Where the VMs keep the reference configure gave them (role pipeline_reference), and its object. */
const VM_REFERENCE_DIR = '/ref';
const VM_REFERENCE_NAME = 'lambda_virus.fa';
const VM_REFERENCE = `${VM_REFERENCE_DIR}/${VM_REFERENCE_NAME}`;
const REFERENCE_OBJECT = 'reference/lambda_virus.fa';

async function fetchReferenceThroughS3(context: SlurmRunContext, s3: Record<string, string>, bucket: string): Promise<number> {
  const client = [
    ...s3ClientLines({ readTimeoutS: 60, attempts: 3 }),
    `bucket, key = ${JSON.stringify(bucket)}, ${JSON.stringify(REFERENCE_OBJECT)}`,
  ];
  const put = await onNode(context, context.cluster.head, ['python3', '-c', [
    ...client,
    'try:',
    '    c.head_object(Bucket=bucket, Key=key)',
    'except botocore.exceptions.ClientError:',
    `    c.upload_file(${JSON.stringify(VM_REFERENCE)}, bucket, key)`,
  ].join('\n')], 120_000, s3);
  if (put.code !== 0) throw new TargetError(`putting the reference in bucket ${bucket} from ${context.cluster.head}: ${(put.stderr.trim() || put.stdout.trim()).slice(-400)}`);
  // Fetched and indexed beside the configured copy, then moved over it file by file: the same
  // bytes under the same path (bcftools writes the path into the VCF's header, so the calls stay
  // byte for byte those of a volume run), and a run reading /ref meanwhile never sees half a file.
  const fetchDir = `${VM_REFERENCE_DIR}/.fetch-${context.plan.run}`;
  const fetched = `${fetchDir}/${VM_REFERENCE_NAME}`;
  const started = Date.now();
  await Promise.all(
    [context.cluster.head, ...context.cluster.workers.map((w) => w.container)].map(async (node) => {
      const got = await onNode(context, node, ['sh', '-c', [
        `mkdir -p ${shellQuote(fetchDir)}`,
        `python3 -c ${shellQuote([...client, `c.download_file(bucket, key, ${JSON.stringify(fetched)})`].join('\n'))}`,
        `bwa index ${shellQuote(fetched)} 2>/dev/null`,
        `samtools faidx ${shellQuote(fetched)}`,
        `for f in ${shellQuote(fetchDir)}/*; do mv -f "$f" ${shellQuote(VM_REFERENCE_DIR)}/; done`,
        `rmdir ${shellQuote(fetchDir)}`,
      ].join(' && ')], 300_000, s3);
      if (got.code !== 0) throw new TargetError(`fetching the reference on ${node}: ${(got.stderr.trim() || got.stdout.trim()).slice(-400)}`);
    }),
  );
  return seconds(Date.now() - started);
}

async function fetchReferenceThroughSwift(context: SlurmRunContext, swift: Record<string, string>): Promise<number> {
  const started = Date.now();
  await Promise.all(
    [context.cluster.head, ...context.cluster.workers.map((w) => w.container)].map(async (node) => {
      const ready = await onNode(context, node, ['resops-pipeline', 'ready'], 300_000, { ...swift, RESOPS_RUN: context.plan.run });
      if (ready.code !== 0) throw new TargetError(`fetching the reference on ${node}: ${(ready.stderr.trim() || ready.stdout.trim()).slice(-400)}`);
    }),
  );
  return seconds(Date.now() - started);
}

async function inHead(context: Pick<SlurmRunContext, 'shell' | 'cluster'>, cmd: string[]) {
  return onNode(context, context.cluster.head, cmd);
}

/**
 * Where a finished Slurm job ran, from `scontrol show job` (Slurm keeps a finished job for
 * MinJobAge, 300 s by default); `unknown` when it no longer says.
 */
async function nodeOfFinishedJob(context: Pick<SlurmRunContext, 'shell' | 'cluster'>, slurmJob: string | undefined): Promise<string> {
  if (!slurmJob) return 'unknown';
  const result = await inHead(context, ['scontrol', '--oneliner', 'show', 'job', slurmJob]).catch(() => undefined);
  const node = result?.code === 0 ? /\bNodeList=([^\s(]+)/.exec(result.stdout)?.[1] : undefined;
  return node && node !== '(null)' ? node : 'unknown';
}

/** `sinfo` per node: name → state (`idle`, `allocated`, `down*`, …). */
async function nodeStates(context: Pick<SlurmRunContext, 'shell' | 'cluster'>): Promise<Map<string, string> | undefined> {
  const result = await inHead(context, ['sinfo', '--noheader', '--Node', '--format=%N %T']);
  if (result.code !== 0) return undefined;
  return new Map(result.stdout.trim().split('\n').filter(Boolean).map((line) => line.split(/\s+/) as [string, string]));
}

/** Waits (bounded) until slurmctld answers and every worker of the run is a usable node. */
async function waitForNodes(context: SlurmRunContext): Promise<number> {
  const started = Date.now();
  const wanted = context.cluster.workers.map((w) => w.id);
  let last = 'slurmctld did not answer';
  while (Date.now() - started < NODES_READY_TIMEOUT_MS) {
    const states = await nodeStates(context);
    if (states) {
      const notReady = wanted.filter((w) => !/^(idle|mixed|allocated)$/.test(states.get(w) ?? ''));
      if (!notReady.length) return seconds(Date.now() - started);
      last = notReady.map((w) => `${w} ${states.get(w) ?? 'unknown'}`).join(', ');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new TargetError(`the Slurm cluster of ${context.cluster.head} is not ready after ${NODES_READY_TIMEOUT_MS / 1000}s: ${last}`, `see \`${context.shell.howTo(context.cluster.head, 'cat /var/log/slurm/slurmctld.log')}\``);
}

/** The regular files under `path` on a node, by their path relative to the run's directory. */
async function readNodeFiles(context: SlurmRunContext, node: string, run: string, under: string): Promise<Map<string, Buffer>> {
  return context.shell.files(node, `${context.cluster.dataDir ?? DATA_DIR}/${run}`, under);
}

/**
 * Where the run's files are read from afterwards. Lift-and-shift: the shared directory, seen from
 * the head. Cloud-native: the workflow's files are objects `<run>/<path>` in the course's bucket;
 * what stays on a node (the job script's times, Slurm's output) is read from each node.
 */
interface RunFiles {
  shared(path: string): Promise<Map<string, Buffer>>;
  onNodes(path: string): Promise<Map<string, Buffer>>;
  sizes(path: string): Promise<Map<string, number>>;
}

function runFiles(context: SlurmRunContext, run: string): RunFiles {
  const { cluster } = context;
  const swift = cluster.swift;
  if (!swift) {
    const shared = (path: string) => readNodeFiles(context, cluster.head, run, path);
    return {
      shared,
      onNodes: shared,
      // Sizes from the file system, not by reading the BAMs through an archive.
      sizes: async (path) => {
        const listed = await inHead(context, ['find', `${context.cluster.dataDir ?? DATA_DIR}/${run}/${path}`, '-type', 'f', '-printf', `${path.replace(/\/+$/, '')}/%P %s\n`]);
        return new Map(listed.stdout.trim().split('\n').flatMap((line) => {
          const m = /^(\S+) (\d+)$/.exec(line);
          return m ? [[m[1]!, Number(m[2])] as [string, number]] : [];
        }));
      },
    };
  }
  const prefix = `${run}/`;
  const sizes = async (path: string) => {
    const found = await swift.store.objectSizes(swift.container, `${prefix}${path}`);
    return new Map([...found].map(([name, bytes]) => [name.slice(prefix.length), bytes]));
  };
  return {
    sizes,
    shared: async (path) => {
      const names = [...(await sizes(path)).keys()];
      const bodies = await Promise.all(names.map((name) => swift.store.getObject(swift.container, `${prefix}${name}`)));
      return new Map(names.flatMap((name, i) => (bodies[i] === undefined ? [] : [[name, Buffer.from(bodies[i]!, 'utf8')] as [string, Buffer]])));
    },
    onNodes: async (path) => {
      // A node lost during the run (a VM stopped) cannot be read: its jobs ran again elsewhere,
      // and Slurm's own restart count still says so.
      const perNode = await Promise.all(
        cluster.workers.map((w) =>
          readNodeFiles(context, w.container, run, path).catch((error: Error) => {
            context.progress.step(`${w.id}: its job logs cannot be read (${error.message.split('\n')[0]}); left out`);
            return new Map<string, Buffer>();
          }),
        ),
      );
      return new Map(perNode.flatMap((files) => [...files]));
    },
  };
}

export async function runOnSlurm(context: SlurmRunContext): Promise<SlurmOutcome> {
  const { plan, progress, emit, observer } = context;
  // Everything that pushed progress must be marked finished at the end, or the stalled-worker
  // alert fires for it: the head (localrules) too, and a node squeue did not show in time.
  const reporters = new Set<string>();
  const measured = (stage: Stage, worker: string, measure: WorkerMeasure) => {
    reporters.add(worker);
    return observer.measured(stage, worker, measure);
  };
  emit({ type: 'stage', stage: 'ready', state: 'start' });
  const readySeconds = (await waitForNodes(context)) + (await fetchReference(context));
  const timings: StageTiming[] = [{ stage: 'ready', seconds: readySeconds, worker: 'all', reads: 0, bytes: 0 }];
  emit({ type: 'stage', stage: 'ready', state: 'done', seconds: readySeconds, worker: 'all' });
  await Promise.all(context.cluster.workers.map((w) => measured('ready', w.id, { seconds: readySeconds, reads: 0, bytes: 0 })));
  progress.step(`ready    ${readySeconds.toFixed(1).padStart(6)}s: Slurm has ${context.cluster.workers.length} idle node(s)${context.cluster.objectEnv ? ', each with the reference from object storage' : ''}`);

  const runDir = `${context.cluster.dataDir ?? DATA_DIR}/${plan.run}`;
  // Slurm opens a job's output file (and the job script its times file) in the run's directory
  // on the node, before the job starts: every node needs it when none is shared.
  const nodes = [context.cluster.head, ...(context.cluster.swift ? context.cluster.workers.map((w) => w.container) : [])];
  for (const node of nodes) {
    const made = await onNode(context, node, ['mkdir', '-p', `${runDir}/logs/slurm`]);
    if (made.code !== 0) throw new TargetError(`making ${runDir} on ${node}: ${made.stderr.trim()}`);
  }

  const log = new SnakemakeLog();
  /** Slurm job → node it was last seen running on (squeue), and the starts already told. */
  const nodeOf = new Map<string, string>();
  const started = new Set<string>();
  const stageStart = new Map<Stage, number>();
  const perWorker = new Map<string, Map<Stage, WorkerMeasure>>();
  const pushes: Array<Promise<void>> = [];
  const tail: string[] = [];

  const jobsOf = (slurmJob: string) => [...log.jobs.values()].filter((j) => j.slurmJob === slurmJob);
  const stageOf = (job: SnakemakeJob) => RULE_STAGE[job.rule];
  const partIndex = (job: SnakemakeJob) => Number(job.wildcards.shard ?? job.wildcards.region ?? 0);

  const onLine = (line: string) => {
    const at = Date.now();
    tail.push(line);
    if (tail.length > 80) tail.shift();
    for (const event of log.line(line, at)) {
      if (event.type === 'submitted') {
        for (const job of event.jobs) {
          const stage = stageOf(job);
          if (stage && !stageStart.has(stage)) {
            stageStart.set(stage, at);
            emit({ type: 'stage', stage, state: 'start' });
          }
        }
      } else if (event.type === 'finished') {
        const stage = stageOf(event.job);
        if (!stage || event.job.submittedMs === undefined) continue;
        // A shard is done when its last step (align) is: one push per shard, per Slurm job.
        if (stage === 'align' && event.job.rule !== 'align') continue;
        const job = event.job;
        const spent = seconds(at - event.job.submittedMs);
        const account = (worker: string): Promise<void> => {
          const sums = perWorker.get(worker) ?? new Map<Stage, WorkerMeasure>();
          perWorker.set(worker, sums);
          const sum = sums.get(stage) ?? { seconds: 0, reads: 0, bytes: 0 };
          sum.seconds += spent;
          sums.set(stage, sum);
          if (stage === 'align' || stage === 'call') {
            progress.detail(`${stage} ${partIndex(job) + 1} done on ${worker}`);
            emit({ type: 'shard', stage, event: 'done', shards: stage === 'align' ? plan.shards : plan.regions, job: partIndex(job), worker, attempt: 1 });
            return measured(stage, worker, { ...sum });
          }
          return Promise.resolve();
        };
        const known = job.local ? 'head' : nodeOf.get(job.slurmJob ?? '');
        if (known !== undefined) pushes.push(account(known));
        // A job short enough to start and end between two squeue polls: Slurm still knows where it ran.
        else pushes.push(nodeOfFinishedJob(context, job.slurmJob).then(account));
      } else if (event.type === 'steps') {
        progress.detail(`snakemake: ${event.done} of ${event.total} steps done`);
      }
    }
  };

  // Where each job runs: squeue once a second while Snakemake runs (bounded by the run).
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const result = await inHead(context, ['squeue', '--noheader', '--format=%i %T %N']).catch(() => undefined);
      for (const line of result?.code === 0 ? result.stdout.trim().split('\n') : []) {
        const [id, state, node] = line.trim().split(/\s+/);
        if (!id || state !== 'RUNNING' || !node) continue;
        const key = `${id}@${node}`;
        nodeOf.set(id, node);
        if (started.has(key)) continue;
        started.add(key);
        const attempt = [...started].filter((k) => k.startsWith(`${id}@`)).length;
        for (const job of jobsOf(id)) {
          const stage = stageOf(job);
          if ((stage === 'align' && job.rule === 'align') || stage === 'call') {
            emit({ type: 'shard', stage, event: 'start', shards: stage === 'align' ? plan.shards : plan.regions, job: partIndex(job), worker: node, attempt });
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();

  const runStarted = Date.now();
  const objectEnv = context.cluster.objectEnv;
  const config = [
    `seed=${plan.seed}`,
    `reads=${plan.reads}`,
    `shards=${plan.shards}`,
    `regions=${plan.regions}`,
    ...(context.cluster.swift ? ['storage=object', `bucket=${context.cluster.swift.container}`, `run=${plan.run}`] : []),
  ];
  const snakemake = await context.shell.run(
    context.cluster.head,
    [
      'snakemake',
      '--profile',
      `${WORKFLOW_DIR}/profile`,
      '--snakefile',
      `${WORKFLOW_DIR}/Snakefile`,
      '--directory',
      runDir,
      // No shared directory: a job's outputs are checked in object storage, not waited for on disk.
      ...(context.cluster.swift ? ['--no-shared-fs'] : []),
      '--config',
      ...config,
    ],
    {
      // Snakemake 7 waits 10 s between two rounds of status checks unless CI=true (then 1 s):
      // that switch is its only one (executors/__init__.py, sleep()), and a job that takes 2 s
      // should not look like 12.
      // sbatch hands the submitter's environment to each job: the S3 keys reach the nodes'
      // Snakemake that way, not through the command line Snakemake writes into the job script.
      env: {
        CI: 'true',
        ...objectEnv?.s3,
      },
      timeoutMs: RUN_TIMEOUT_MS,
      onLine,
    },
  ).finally(() => {
    watching = false;
  });
  await watcher;
  await Promise.all(pushes);
  if (snakemake.code !== 0) {
    const failedRule = log.errors[0];
    await Promise.all(
      [...new Set(log.errors)].map((rule) => {
        const stage = RULE_STAGE[rule];
        return stage ? observer.failed(stage, 'all', seconds(Date.now() - runStarted)) : Promise.resolve();
      }),
    );
    throw new TargetError(
      `snakemake on ${context.cluster.head} exited ${snakemake.code}${failedRule ? ` (rule ${failedRule} failed)` : ''}:\n${tail.slice(-25).map((l) => `    ${l}`).join('\n')}`,
      `the rule's log is in ${runDir}/logs/ on ${context.cluster.head}; Slurm's in ${runDir}/logs/slurm/ (\`${context.shell.howTo(context.cluster.head, `ls ${runDir}/logs`)}\`)`,
    );
  }

  // Afterwards: the files of the run that hold the measures.
  const files = runFiles(context, plan.run);
  const [benchmarks, qc, slurmLogs, results, shardSizes, jobs] = await Promise.all([
    files.shared('benchmarks/'),
    files.shared('qc/'),
    files.onNodes('logs/slurm/'),
    Promise.all(['evaluation.json', 'calls.vcf'].map((name) => files.shared(name))),
    files.sizes('shards/'),
    inHead(context, ['scontrol', '--oneliner', 'show', 'job']),
  ]);
  const restarts = jobs.code === 0 ? parseJobRestarts(jobs.stdout) : new Map<string, number>();
  const file = (files: Map<string, Buffer>, name: string) => {
    const body = files.get(name);
    if (!body) throw new TargetError(`${runDir}/${name} is missing after a successful run`);
    return body.toString('utf8');
  };
  const evaluation = JSON.parse(file(results[0]!, 'evaluation.json')) as Evaluation;
  const vcf = file(results[1]!, 'calls.vcf');
  const times = new Map<string, JobTimes>();
  for (const [name, body] of slurmLogs) {
    const id = /logs\/slurm\/(\d+)\.times$/.exec(name)?.[1];
    if (id) times.set(id, parseJobTimes(body.toString('utf8')));
  }
  const bamSizes = new Map([...shardSizes].flatMap(([name, bytes]) => {
    const shard = /^shards\/(\d{3})\.bam$/.exec(name)?.[1];
    return shard ? [[shard, bytes] as [string, number]] : [];
  }));

  // Each stage: from its first submission to its last job seen finished.
  for (const stage of STAGE_ORDER) {
    const jobs = [...log.jobs.values()].filter((j) => RULE_STAGE[j.rule] === stage);
    const first = Math.min(...jobs.map((j) => j.submittedMs ?? Infinity));
    const last = Math.max(...jobs.map((j) => j.finishedMs ?? -Infinity));
    if (!Number.isFinite(first) || !Number.isFinite(last)) throw new TargetError(`stage ${stage}: Snakemake's log shows no finished job of it`);
    const nodes = [...new Set(jobs.map((j) => (j.local ? 'head' : (times.get(j.slurmJob ?? '')?.starts.at(-1)?.node ?? 'unknown'))))];
    const spread = stage === 'align' || stage === 'call';
    const worker = spread ? 'all' : (nodes[0] ?? 'unknown');
    const timing: StageTiming = { stage, seconds: seconds(last - first), worker, reads: 0, bytes: 0 };
    if (stage === 'align') timing.reads = [...qc.values()].reduce((sum, body) => sum + fastpReads(body).before, 0);
    if (stage === 'align') timing.bytes = [...bamSizes.values()].reduce((a, b) => a + b, 0);
    timings.push(timing);
    emit({ type: 'stage', stage, state: 'done', seconds: timing.seconds, worker });
    progress.step(`${stage.padEnd(8)} ${timing.seconds.toFixed(1).padStart(6)}s ${spread ? `, ${jobs.filter((j) => j.rule === (stage === 'align' ? 'align' : 'call')).length} jobs` : `on ${worker}`}${timing.reads ? `, ${timing.reads} reads` : ''}`);
    if (!spread) await measured(stage, worker, { seconds: timing.seconds, reads: 0, bytes: 0 });
  }

  const shardJobs: ShardMeasure[] = [...log.jobs.values()]
    .filter((j) => j.rule === 'align')
    .sort((a, b) => partIndex(a) - partIndex(b))
    .map((job) => {
      const shard = job.wildcards.shard!;
      const jobTimes = times.get(job.slurmJob ?? '');
      const work = ['reads', 'qc', 'align'].reduce((sum, rule) => sum + benchmarkSeconds(file(benchmarks, benchmarkFile({ rule, wildcards: { shard } }))), 0);
      return {
        shard: Number(shard),
        worker: jobTimes?.starts.at(-1)?.node ?? 'unknown',
        seconds: Math.round(work * 1000) / 1000,
        reads: fastpReads(qc.get(`qc/${shard}.fastp.json`) ?? Buffer.from('{}')).before,
        bytes: bamSizes.get(shard) ?? 0,
        attempts: Math.max(1, jobTimes?.starts.length ?? 1, (restarts.get(job.slurmJob ?? '') ?? 0) + 1),
        timestamp: new Date((jobTimes?.ends.at(-1)?.atS ?? Date.now() / 1000) * 1000).toISOString(),
      };
    });

  const states = (await nodeStates(context)) ?? new Map<string, string>();
  const lost = context.cluster.workers.map((w) => w.id).filter((w) => /^down|\*$|^drain|^fail/.test(states.get(w) ?? 'down'));
  return { timings, shardJobs, lost, evaluation, vcf, reporters: [...reporters], scheduler: schedulerOverhead(log, times, (job) => benchmarkSeconds(file(benchmarks, benchmarkFile(job)))), readySeconds };
}

/** Where the Snakefile's `benchmark:` puts a job's file: per rule, and per shard or region. */
function benchmarkFile(job: Pick<SnakemakeJob, 'rule' | 'wildcards'>): string {
  const part = job.wildcards.shard ?? job.wildcards.region;
  return part === undefined ? `benchmarks/${job.rule}.tsv` : `benchmarks/${job.rule}/${part}.tsv`;
}

function fastpReads(body: Buffer): { before: number; after: number } {
  const report = JSON.parse(body.toString('utf8')) as { summary?: { before_filtering?: { total_reads?: number }; after_filtering?: { total_reads?: number } } };
  return { before: report.summary?.before_filtering?.total_reads ?? 0, after: report.summary?.after_filtering?.total_reads ?? 0 };
}

/**
 * What running each job through Slurm and Snakemake costs on top of its work, as medians over the
 * jobs that ran once (a requeued job's delay is its node's failure):
 * - dispatch: from the moment the job could start (submitted, and its node free) to its start;
 *   waiting for a free node is not overhead, it is the queue doing its job;
 * - start-up: the job's time on its node minus the work its rules' benchmarks measured (mostly
 *   Snakemake starting again inside the job);
 * - noticed: from the job's end to Snakemake on the head seeing it (status polling).
 * All three are paid once per Slurm job: they belong to the serial fraction the scaling exercise fits.
 */
function schedulerOverhead(log: SnakemakeLog, times: Map<string, JobTimes>, work: (job: SnakemakeJob) => number): SchedulerOverhead {
  const bySlurmJob = new Map<string, SnakemakeJob[]>();
  for (const job of log.jobs.values()) if (job.slurmJob) bySlurmJob.set(job.slurmJob, [...(bySlurmJob.get(job.slurmJob) ?? []), job]);
  interface Ran { submitted: number; start: number; end: number; seen: number; node: string; work: number }
  const ran: Ran[] = [];
  for (const [id, jobs] of bySlurmJob) {
    const jobTimes = times.get(id);
    const submitted = Math.min(...jobs.map((j) => j.submittedMs ?? Infinity)) / 1000;
    const seen = Math.max(...jobs.map((j) => j.finishedMs ?? -Infinity)) / 1000;
    const start = jobTimes?.starts[0];
    const end = jobTimes?.ends[0];
    if (jobTimes?.starts.length !== 1 || !start || !end || !Number.isFinite(submitted) || !Number.isFinite(seen)) continue;
    ran.push({ submitted, start: start.atS, end: end.atS, seen, node: start.node, work: jobs.reduce((sum, j) => sum + work(j), 0) });
  }
  const dispatch: number[] = [];
  for (const node of new Set(ran.map((r) => r.node))) {
    const onNode = ran.filter((r) => r.node === node).sort((a, b) => a.start - b.start);
    // A job could start once submitted and, if it waited for a CPU, once an earlier job on its
    // node had ended before it: with several CPUs per node (VMs), jobs overlap, and an earlier
    // job still running freed nothing.
    onNode.forEach((r, i) => dispatch.push(r.start - Math.max(r.submitted, ...onNode.slice(0, i).map((p) => p.end).filter((end) => end <= r.start))));
  }
  const startup = ran.map((r) => r.end - r.start - r.work);
  const noticed = ran.map((r) => r.seen - r.end);
  const medians = { dispatch: medianOrZero(dispatch), startup: medianOrZero(startup), noticed: medianOrZero(noticed) };
  return {
    slurmJobs: bySlurmJob.size,
    dispatchMedianSeconds: round3(medians.dispatch),
    jobStartupMedianSeconds: round3(medians.startup),
    noticedMedianSeconds: round3(medians.noticed),
    overheadPerJobSeconds: round3(medians.dispatch + medians.startup + medians.noticed),
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
