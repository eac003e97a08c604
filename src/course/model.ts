/**
 * The resolved course: what every part of the toolkit (stacks, CLI, local driver, playbooks,
 * exercises) works from. The YAML file is snake_case; this model is camelCase with every default
 * applied, every roster row read and every learner's subnet already carved, so consumers never
 * re-derive anything and never see an optional that has a documented default.
 *
 * `loadCourse()` in ./load.ts is the only way to get one.
 */

export type Target = 'local' | 'openstack';
export const TARGETS: readonly Target[] = ['local', 'openstack'];

/** A run's storage: `volume` = lift-and-shift (shared POSIX volume); `object` = cloud-native (Swift container). */
export type PipelineStorage = 'volume' | 'object';
/** What a course deploys for its runs: one of the storages, or `both` (the porting exercise compares them). */
export type PipelineDeployment = PipelineStorage | 'both';
export type ServersInterface = 'public' | 'internal' | 'admin';
export const SERVERS_INTERFACES: readonly ServersInterface[] = ['public', 'internal', 'admin'];
export const PIPELINE_STORAGES: readonly PipelineStorage[] = ['volume', 'object'];
export const PIPELINE_DEPLOYMENTS: readonly PipelineDeployment[] = ['volume', 'object', 'both'];

/** Whether the course's pipeline has what a run with `storage` needs. */
export function deploysStorage(pipeline: Pick<PipelineSettings, 'storage'>, storage: PipelineStorage): boolean {
  return pipeline.storage === 'both' || pipeline.storage === storage;
}

/** The storage of a run that names none: the course's, and lift-and-shift when it deploys both. */
export function defaultRunStorage(pipeline: Pick<PipelineSettings, 'storage'>): PipelineStorage {
  return pipeline.storage === 'both' ? 'volume' : pipeline.storage;
}

/** `stop`: stop the servers, keep everything; `destroy`: delete everything, as `down` does. */
export type ExpiryAction = 'stop' | 'destroy';
export const EXPIRY_ACTIONS: readonly ExpiryAction[] = ['stop', 'destroy'];

/** The machine roles a course has; each has a flavor on the openstack target. */
export type MachineRole = 'learner' | 'monitoring' | 'worker';
export const MACHINE_ROLES: readonly MachineRole[] = ['learner', 'monitoring', 'worker'];

export interface Flavor {
  /** Flavor name in the cloud. */
  name: string;
  /** vCPUs and RAM of that flavor, so preflight can estimate without a cloud. */
  vcpus: number;
  ramMb: number;
}

/** Unit prices, all optional in the file; when absent, preflight reports no cost. */
export interface UnitPrices {
  currency: string;
  vcpuHour: number;
  ramGbHour: number;
  volumeGbHour: number;
  floatingIpHour: number;
}

export interface CloudSettings {
  /** Name of the cloud in clouds.yaml (credentials live there or in OS_* variables, never here). */
  name: string;
  region: string;
  /** Name of the external (provider) network floating IPs and the router gateway come from. */
  externalNetwork: string;
  /** Image name for every VM. */
  image: string;
  flavors: Record<MachineRole, Flavor>;
  dnsServers: string[];
  /** CIDRs allowed to reach SSH. Empty means SSH is reachable from nowhere outside the course. */
  sshAllowedCidrs: string[];
  /**
   * CIDRs allowed to open the monitoring host's Prometheus, Alertmanager and Gnocchi. Separate
   * from SSH: opening SSH to a network must not open every dashboard to it. Empty: none.
   */
  dashboardAllowedCidrs: string[];
  /** Login user of the image (cloud-init default user); the learner user is created alongside. */
  imageUser: string;
  /**
   * Public key of the instructors' automation (Ansible): authorised for the image user on every
   * VM and the keypair of the monitoring host and workers. Optional: without it only learners
   * can log in to their own VMs.
   */
  adminSshPublicKey?: string;
  prices?: UnitPrices;
  /**
   * A Terraform provider filesystem mirror (`resops provider mirror`) for machines that cannot
   * download the OpenStack provider: the directory as written, relative to the course file's
   * directory `Course.dir` or absolute. Resolved and checked by `terraformCliSettings()`
   * (src/terraform/mirror.ts), not here: loading a course never looks at the disk beyond its roster.
   */
  providerMirror?: string;
  /**
   * The object store's S3 API as the servers reach it (scheme, host, port; no trailing slash).
   * Absent: the origin of the catalog's object-store endpoint at `serversInterface`.
   */
  s3Endpoint?: string;
  /**
   * The catalog interface the servers reach the cloud's APIs at (Prometheus' discovery, the S3
   * default). Absent: decided from the catalog (src/openstack/servers-endpoints.ts).
   */
  serversInterface?: ServersInterface;
}

export interface NetworkSettings {
  /** The course CIDR, e.g. 10.42.0.0/16. */
  cidr: string;
  /** Prefix length of each carved subnet (default 24). */
  subnetPrefix: number;
  /** Subnet 0 of the course CIDR: monitoring host and pipeline workers live here. */
  servicesSubnet: string;
}

export interface Learner {
  /** DNS-safe id, unique in the course; part of every resource name of this learner. */
  id: string;
  name: string;
  email?: string;
  /** OpenSSH public key line (type, base64 blob, optional comment). */
  sshPublicKey: string;
  /** 0-based position in the course (roster order); drives subnet and local SSH port. */
  index: number;
  /** The learner's own subnet, carved from the course CIDR (subnet index + 1). */
  subnetCidr: string;
  /** Number of VMs of this learner (course default unless the learner overrides it). */
  vms: number;
  /** Size of the data volume attached to each learner VM, GB; 0 means no volume. */
  volumeGb: number;
}

export interface MonitoringSettings {
  enabled: boolean;
  /** Prometheus retention, a Prometheus duration such as `15d`. */
  retention: string;
  /** Data volume of the monitoring host, GB. */
  volumeGb: number;
}

export interface PipelineSettings {
  /** Number of worker VMs / containers; 0 means the course has no pipeline stack. */
  workers: number;
  storage: PipelineDeployment;
  /** Size of the shared volume (storage `volume` or `both`), GB. */
  volumeGb: number;
}

export type AccountsMode = 'shared-project' | 'project-per-learner';
export const ACCOUNTS_MODES: readonly AccountsMode[] = ['shared-project', 'project-per-learner'];

/** Learners' own cloud accounts (`resops accounts`, src/accounts/). */
export interface AccountsSettings {
  /**
   * `shared-project`: every learner a member of the course's project (they see each other's
   * servers); `project-per-learner`: a project of their own each, with quotas for their lab,
   * the course's network and shared security groups shared to it (Neutron RBAC).
   */
  mode: AccountsMode;
}

/** What happens once the course is over (src/course/expiry.ts says when that is). */
export interface ExpirySettings {
  /** Hours after the end of `course.end` (UTC) before the labs expire. */
  graceHours: number;
  action: ExpiryAction;
}

/** Settings of the local (Docker) target. */
export interface LocalSettings {
  /** Learner i's VM j gets SSH on 127.0.0.1:(sshPortBase + i * 10 + j). */
  sshPortBase: number;
  /** Host ports (on 127.0.0.1) of the monitoring services. */
  ports: {
    prometheus: number;
    pushgateway: number;
    alertmanager: number;
    gnocchi: number;
    swift: number;
  };
}

export interface Course {
  /** The course file as given on the command line (for messages). */
  file: string;
  /** Absolute directory of the course file: the roster and the state directory resolve from it. */
  dir: string;
  id: string;
  title: string;
  /** ISO dates (YYYY-MM-DD); the end date drives cost and expiry. */
  start?: string;
  end?: string;
  target: Target;
  cloud: CloudSettings;
  network: NetworkSettings;
  learners: Learner[];
  monitoring: MonitoringSettings;
  pipeline: PipelineSettings;
  local: LocalSettings;
  expiry: ExpirySettings;
  accounts: AccountsSettings;
  /** What the course may cost, in `cloud.prices.currency` (loading refuses a budget without prices). */
  budget?: { amount: number };
  /**
   * State directory, relative to `dir` (default `.resops/<course id>`): Terraform state, local
   * driver state, exercise progress. Relative so that nothing synthesized names this machine.
   */
  stateDir: string;
}

/** One problem found in a course file or its roster. */
export interface CourseIssue {
  /** File the problem is in (the course file or the roster CSV), as the user named it. */
  file: string;
  /** 1-based line and column; 0 when the problem has no position (e.g. an empty file). */
  line: number;
  column: number;
  /** Field path such as `learners[3].ssh_public_key` (file spelling, snake_case). */
  path: string;
  message: string;
}

/** Thrown by loadCourse when the file has problems; carries every problem found, not the first. */
export class CourseError extends Error {
  constructor(readonly issues: CourseIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'CourseError';
  }
}

/** `course.yaml:14:9 learners[3].ssh_public_key: not an OpenSSH public key` */
export function formatIssue(issue: CourseIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Metadata keys set on every OpenStack resource that takes metadata or tags. */
export const METADATA = {
  course: 'resops-course',
  learner: 'resops-learner',
  role: 'resops-role',
  /** When the course's labs expire (ISO time, UTC), so `reap --cloud` needs no course file. */
  expires: 'resops-expires',
  /** What `reap` does then: `stop` or `destroy`. */
  expiryAction: 'resops-expiry-action',
} as const;

/** Docker labels set on every object of the local target. */
export const LABELS = {
  course: 'resops.course',
  learner: 'resops.learner',
  role: 'resops.role',
} as const;
