/**
 * Reading Snakemake's cluster-mode log (snakemake-log.ts) and rendering the cluster's
 * slurm.conf (slurm-conf.ts): pure functions, so their edge cases are tested here; the engine
 * end to end is test/pipeline-docker.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { renderSlurmConf } from '../src/pipeline/slurm-conf.js';
import { benchmarkSeconds, parseJobRestarts, parseJobTimes, SnakemakeLog } from '../src/pipeline/snakemake-log.js';

function feed(log: SnakemakeLog, lines: string[], at = 1000) {
  return lines.flatMap((line, i) => log.line(line, at + i));
}

describe('SnakemakeLog', () => {
  it('gives a group job\'s Slurm id to every job of the group, and a single job\'s to that job only', () => {
    const log = new SnakemakeLog();
    const events = feed(log, [
      '[Wed Dec  2 06:40:01 2026]',
      'rule simulate:',
      '    output: truth/mutations.txt, truth/truth.vcf',
      '    jobid: 2',
      '',
      "Submitted job 2 with external jobid '5'.",
      '[Wed Dec  2 06:40:02 2026]',
      'group job shard (jobs in lexicogr. order):',
      '',
      '    [Wed Dec  2 06:40:02 2026]',
      '    rule align:',
      '        jobid: 7',
      '        wildcards: shard=003',
      '',
      '    rule qc:',
      '        jobid: 8',
      '        wildcards: shard=003',
      "Submitted group job 0b5d3c6e-aaaa with external jobid '6;cluster'.",
      'Finished job 8.',
      '3 of 20 steps (15%) done',
      'Error in rule merge:',
    ]);
    expect(log.jobs.get(2)).toMatchObject({ rule: 'simulate', slurmJob: '5' });
    expect(log.jobs.get(7)).toMatchObject({ rule: 'align', wildcards: { shard: '003' }, slurmJob: '6' });
    expect(log.jobs.get(8)).toMatchObject({ rule: 'qc', slurmJob: '6', finishedMs: expect.any(Number) });
    expect(log.jobs.get(7)!.finishedMs).toBeUndefined();
    expect(events.filter((e) => e.type === 'submitted').map((e) => e.type === 'submitted' && e.jobs.map((j) => j.jobid))).toEqual([[2], [7, 8]]);
    expect(events).toContainEqual({ type: 'steps', done: 3, total: 20 });
    expect(log.errors).toEqual(['merge']);
  });

  it('reads the job script\'s times (a requeued job starts twice) and a benchmark\'s wall seconds', () => {
    const times = parseJobTimes('start 100.5 worker2\nstart 130.25 worker1\nend 133.75 0\n');
    expect(times.starts).toEqual([{ atS: 100.5, node: 'worker2' }, { atS: 130.25, node: 'worker1' }]);
    expect(times.ends).toEqual([{ atS: 133.75, status: 0 }]);
    expect(benchmarkSeconds('s\th:m:s\tmax_rss\n1.2345\t0:00:01\t12.5\n')).toBe(1.2345);
    expect(() => benchmarkSeconds('s\th:m:s\n')).toThrow(/no data row|without a data row/);
  });

  it("reads Slurm's own requeue count per job, which a node killed before the job script ran leaves out of the times", () => {
    const restarts = parseJobRestarts(
      [
        'JobId=12 JobName=smk-shard UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=1 Nice=0 Account=(null) QOS=(null) JobState=COMPLETED Reason=None Dependency=(null) Requeue=1 Restarts=1 BatchFlag=1 Reboot=0 ExitCode=0:0 NodeList=worker1',
        'JobId=13 JobName=smk-shard JobState=COMPLETED Reason=None Requeue=1 Restarts=0 BatchFlag=1 NodeList=worker2',
        // ArrayJobId's and the like must not be taken for the job's own id.
        'JobId=140 ArrayJobId=14 JobState=RUNNING Restarts=2',
        '',
      ].join('\n'),
    );
    expect([...restarts]).toEqual([['12', 1], ['13', 0], ['140', 2]]);
    expect(parseJobRestarts('No jobs in the system\n').size).toBe(0);
  });
});

describe('renderSlurmConf', () => {
  const cluster = { name: 'bio-101', controller: { name: 'bio-101-head', address: 'bio-101-head' }, nodes: [{ name: 'worker1', address: 'bio-101-worker1', cpus: 1, memoryMb: 8192 }] };

  it('puts every node in the one partition with its CPUs and memory, and requeues jobs of failed nodes', () => {
    const conf = renderSlurmConf({ ...cluster, nodes: [...cluster.nodes, { name: 'worker2', address: '10.0.0.5', cpus: 4, memoryMb: 4096 }] });
    expect(conf).toContain('SlurmctldHost=bio-101-head(bio-101-head)');
    expect(conf).toContain('NodeName=worker2 NodeAddr=10.0.0.5 CPUs=4 RealMemory=4096');
    expect(conf).toMatch(/^PartitionName=main Nodes=worker1,worker2 Default=YES/m);
    expect(conf).toContain('JobRequeue=1');
    expect(conf).toContain('SlurmdTimeout=10');
  });

  it('refuses what slurmctld would refuse later, with the value named', () => {
    expect(() => renderSlurmConf({ ...cluster, name: 'Bio 101' })).toThrow(/"Bio 101"/);
    expect(() => renderSlurmConf({ ...cluster, nodes: [] })).toThrow(/at least one node/);
    expect(() => renderSlurmConf({ ...cluster, nodes: [{ ...cluster.nodes[0]!, cpus: 0 }] })).toThrow(/worker1: cpus/);
  });
});

describe('SnakemakeLog and localrules', () => {
  it('starts a local job when it is described: no Slurm job, and the head as its place', () => {
    const log = new SnakemakeLog();
    const events = feed(log, ['[Wed Dec  2 07:01:47 2026]', 'localrule gather:', '    input: calls/000.vcf', '    jobid: 1', 'Finished job 1.']);
    expect(log.jobs.get(1)).toMatchObject({ rule: 'gather', local: true, submittedMs: expect.any(Number), finishedMs: expect.any(Number) });
    expect(log.jobs.get(1)!.slurmJob).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['submitted', 'finished']);
  });
});
