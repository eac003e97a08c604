/**
 * The report of one run in `<state dir>/pipeline/<run>/` (or --out): calls.vcf, report.json (the
 * PipelineResult without the VCF) and report.md; for object storage runs the two reports in Swift
 * too, under `<run>/`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineBucket } from './infra.js';
import type { PipelineResult } from './model.js';

export async function writeReport(result: PipelineResult, swift?: PipelineBucket): Promise<void> {
  mkdirSync(result.reportDir, { recursive: true });
  writeFileSync(join(result.reportDir, 'calls.vcf'), result.vcf);
  const { vcf: _omitted, ...summary } = result;
  writeFileSync(join(result.reportDir, 'report.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(result.reportDir, 'report.md'), renderMarkdown(result));
  if (swift) {
    await swift.store.putObject(swift.container, `${result.run}/report.json`, JSON.stringify(summary, null, 2));
    await swift.store.putObject(swift.container, `${result.run}/report.md`, renderMarkdown(result));
  }
}

export function renderMarkdown(r: PipelineResult): string {
  const lines = [
    `# Pipeline run ${r.run}`,
    '',
    `Course \`${r.course}\`, storage \`${r.storage}\`, Snakemake on Slurm, ${r.workers} worker${r.workers === 1 ? '' : 's'}, ${r.reads} simulated read pairs (seed ${r.seed}), ${r.shards} shards.`,
    `Wall time **${r.wallSeconds.toFixed(1)} s**.${r.lostWorkers.length ? ` Workers lost during the run: ${r.lostWorkers.join(', ')} (Slurm requeued their jobs on the others).` : ''}`,
    '',
    '## Accuracy against the simulated truth (SNPs)',
    '',
    '| truth | called | TP | FP | FN | precision | recall | F1 |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${r.evaluation.truth} | ${r.evaluation.called} | ${r.evaluation.truePositives} | ${r.evaluation.falsePositives} | ${r.evaluation.falseNegatives} | ${r.evaluation.precision.toFixed(4)} | ${r.evaluation.recall.toFixed(4)} | ${r.evaluation.f1.toFixed(4)} |`,
    '',
    '## Stages',
    '',
    '| stage | seconds | worker | reads | MB |',
    '|---|---:|---|---:|---:|',
    ...r.stages.map((s) => `| ${s.stage} | ${s.seconds.toFixed(2)} | ${s.worker} | ${s.reads || ''} | ${s.bytes ? (s.bytes / 1e6).toFixed(2) : ''} |`),
    '',
    '## Shards',
    '',
    '| shard | worker | seconds | reads | attempts |',
    '|---:|---|---:|---:|---:|',
    ...r.shardJobs.map((j) => `| ${j.shard} | ${j.worker} | ${j.seconds.toFixed(2)} | ${j.reads} | ${j.attempts} |`),
    '',
    '## Images',
    '',
    r.images.length === 0
      ? `Start-up: the cloud's VMs as Ansible configured them (tools, reference and workflow: no image); Slurm's nodes ready after ${r.startup.readySeconds.toFixed(2)} s.`
      : `Start-up of this run's image \`${r.startup.image}\`: ${r.startup.containerStartSeconds.length ? `containers running ${Math.max(...r.startup.containerStartSeconds).toFixed(1)} s after create (${r.startup.containerStartSeconds.length} created for this run)` : 'workers already running (created by an earlier run)'}, reference ready after ${r.startup.readySeconds.toFixed(2)} s (instant when baked in; fetch from object storage + \`bwa index\` for the cloud-native image).`,
    '',
    '| image | size (MB) | container running after (s) | reference ready after (s) | measured in run |',
    '|---|---:|---:|---:|---|',
    ...r.images.map((i) =>
      i.startup
        ? `| ${i.image} | ${i.sizeMb} | ${i.startup.containerStartSeconds?.toFixed(1) ?? '—'} | ${i.startup.readySeconds.toFixed(2)} | ${i.startup.run === r.run ? 'this one' : i.startup.run} |`
        : `| ${i.image} | ${i.sizeMb} | — | — | ${i.workersOf ? `not yet: a run with --storage ${i.workersOf} measures it` : '(storage service)'} |`,
    ),
    '',
    '## Scheduler',
    '',
    `Slurm ran ${r.scheduler.slurmJobs} jobs; each cost ${r.scheduler.overheadPerJobSeconds.toFixed(2)} s beyond its work (medians: dispatch ${r.scheduler.dispatchMedianSeconds.toFixed(2)} s, start-up on the node ${r.scheduler.jobStartupMedianSeconds.toFixed(2)} s, noticed by Snakemake ${r.scheduler.noticedMedianSeconds.toFixed(2)} s).`,
    '',
    `Metrics: ${r.metrics.problem ? `not pushed: ${r.metrics.problem}` : `Pushgateway (run="${r.run}") and Gnocchi (resource ${r.metrics.gnocchiResource}, one batch request)`}.`,
    '',
  ];
  return lines.join('\n');
}
