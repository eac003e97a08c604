/**
 * The course's Slurm cluster as a configuration file: one controller (the head), the workers as
 * the nodes of one partition, `main`. Written for containers (local target) and VMs alike: no
 * cgroup plugins (proctrack/linuxproc, task/none, which need nothing of the kernel a container
 * lacks) and no accounting database (Snakemake's generic cluster mode does not need one; finished
 * jobs are written to the job-completion file, which is where run.ts finds each job's node).
 */

export interface SlurmNode {
  /** Slurm's name of the node: `worker1`. */
  name: string;
  /** Where slurmctld reaches it: a host name or an address. */
  address: string;
  cpus: number;
  memoryMb: number;
}

export interface SlurmCluster {
  /** Cluster name: letters, digits and dashes (Slurm lower-cases it). */
  name: string;
  /** The controller: `name` must be its host name (slurmctld refuses to start elsewhere). */
  controller: { name: string; address: string };
  nodes: SlurmNode[];
  /**
   * Seconds without an answer before a node is marked DOWN and its jobs requeued elsewhere.
   * Default 10: short, because a killed worker should cost the run seconds, not Slurm's 300.
   */
  nodeTimeoutSeconds?: number;
}

/** Where slurmctld writes a line per finished job (JobId, NodeList, SubmitTime, StartTime, …). */
export const JOB_COMPLETION_LOG = '/var/log/slurm/jobcomp.log';
export const PARTITION = 'main';

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function renderSlurmConf(cluster: SlurmCluster): string {
  if (!NAME.test(cluster.name)) throw new Error(`Slurm cluster name ${JSON.stringify(cluster.name)}: lower-case letters, digits and dashes, 40 at most`);
  if (cluster.nodes.length === 0) throw new Error('a Slurm cluster needs at least one node');
  for (const node of cluster.nodes) {
    if (!/^[A-Za-z0-9-]+$/.test(node.name)) throw new Error(`Slurm node name ${JSON.stringify(node.name)}: letters, digits and dashes only`);
    if (!Number.isInteger(node.cpus) || node.cpus < 1) throw new Error(`Slurm node ${node.name}: cpus must be a whole number ≥ 1`);
    if (!Number.isInteger(node.memoryMb) || node.memoryMb < 1) throw new Error(`Slurm node ${node.name}: memoryMb must be a whole number ≥ 1`);
  }
  const timeout = cluster.nodeTimeoutSeconds ?? 10;
  return [
    '# Written by resops-lab: the course\'s pipeline cluster. Changes are overwritten.',
    `ClusterName=${cluster.name}`,
    `SlurmctldHost=${cluster.controller.name}(${cluster.controller.address})`,
    'SlurmUser=slurm',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'StateSaveLocation=/var/lib/slurm/slurmctld',
    'SlurmdSpoolDir=/var/lib/slurm/slurmd',
    'SlurmctldPidFile=/run/slurmctld.pid',
    'SlurmdPidFile=/run/slurmd.pid',
    'SlurmctldLogFile=/var/log/slurm/slurmctld.log',
    'SlurmdLogFile=/var/log/slurm/slurmd.log',
    'MpiDefault=none',
    // No mail on a course's machines; Slurm checks the default program exists.
    'MailProg=/bin/true',
    // Containers have no cgroup of their own to manage; a VM's would work, but one file serves both.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU_Memory',
    // A container sees the host's cores and memory, not what the node is given: trust this file.
    'SlurmdParameters=config_overrides',
    'SchedulerType=sched/backfill',
    // Slurm delays a batch job's start up to batch_sched_delay (3 s) to batch them for
    // high-throughput sites; a course's jobs are few and short: submit → running went from 1.9 s
    // to 0.9 s (measured, sbatch --wrap on an idle node).
    'SchedulerParameters=batch_sched_delay=0',
    `SlurmdTimeout=${timeout}`,
    // A node that answers again (a worker restarted) takes jobs again without an admin.
    'ReturnToService=2',
    // Jobs of a failed node go back to the queue (sbatch --requeue) instead of failing.
    'JobRequeue=1',
    // Finished jobs stay visible to `scontrol show job` (Snakemake's status checks) for 10 min.
    'MinJobAge=600',
    'KillWait=5',
    'InactiveLimit=0',
    'JobCompType=jobcomp/filetxt',
    `JobCompLoc=${JOB_COMPLETION_LOG}`,
    'AccountingStorageType=accounting_storage/none',
    ...cluster.nodes.map((n) => `NodeName=${n.name} NodeAddr=${n.address} CPUs=${n.cpus} RealMemory=${n.memoryMb} State=UNKNOWN`),
    // LLN: each job to the least loaded node. Slurm fills the first node's CPUs by default, and
    // on the rehearsal cloud a 2-worker run of 4-CPU VMs put every shard on worker1.
    `PartitionName=${PARTITION} Nodes=${cluster.nodes.map((n) => n.name).join(',')} Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO LLN=YES`,
    '',
  ].join('\n');
}
