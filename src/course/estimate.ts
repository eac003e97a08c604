/**
 * What a course consumes in the cloud and what it costs, computed from the resolved course alone
 * (no cloud needed). The counting rules are the "Consumption" section of docs/topology.md; keep
 * the two in step.
 */
import { deploysStorage, type Course, type Learner, type UnitPrices } from './model.js';
import { STACK_NAMES } from './naming.js';

export interface Consumption {
  instances: number;
  vcpus: number;
  ramMb: number;
  volumes: number;
  volumeGb: number;
  floatingIps: number;
  securityGroups: number;
  networks: number;
  subnets: number;
  routers: number;
  /** One port per instance. */
  ports: number;
  /** Router interfaces are ports too, but topology.md counts them apart from instance ports. */
  routerInterfaces: number;
  /** Swift containers (pipeline storage `object` or `both`); no quota is checked for them. */
  objectContainers: number;
}

export const CONSUMPTION_KEYS: readonly (keyof Consumption)[] = [
  'instances',
  'vcpus',
  'ramMb',
  'volumes',
  'volumeGb',
  'floatingIps',
  'securityGroups',
  'networks',
  'subnets',
  'routers',
  'ports',
  'routerInterfaces',
  'objectContainers',
];

export type PartKind = 'network' | 'learner' | 'monitoring' | 'pipeline';

/** One stack's share of the course. */
export interface PartEstimate {
  kind: PartKind;
  /** Stack name, e.g. `resops-demo-learner-alice`. */
  stack: string;
  learnerId?: string;
  consumption: Consumption;
}

export interface CourseEstimate {
  /** Network, every learner (roster order), then monitoring and pipeline when the course has them. */
  parts: PartEstimate[];
  /** Sum over the learner parts only. */
  learners: Consumption;
  total: Consumption;
  /**
   * What the instructor's project holds: the total, except in project-per-learner mode, where each
   * learner's part is in their own project (whose quota `accounts create` sets to fit it).
   */
  instructorProject: Consumption;
}

export function emptyConsumption(): Consumption {
  return {
    instances: 0,
    vcpus: 0,
    ramMb: 0,
    volumes: 0,
    volumeGb: 0,
    floatingIps: 0,
    securityGroups: 0,
    networks: 0,
    subnets: 0,
    routers: 0,
    ports: 0,
    routerInterfaces: 0,
    objectContainers: 0,
  };
}

export function addConsumption(a: Consumption, b: Consumption): Consumption {
  const sum = emptyConsumption();
  for (const key of CONSUMPTION_KEYS) sum[key] = a[key] + b[key];
  return sum;
}

/**
 * Project-per-learner: a learner's subnet and its router interface are in the network stack (only
 * the network's owner may make them), in the instructor's project, not in the learner's.
 */
const subnetsInNetworkStack = (course: Course) => course.accounts.mode === 'project-per-learner';

/** The network stack: net, services subnet, router (+ its services interface), 4 shared groups; and learners' subnets, see above. */
function networkPart(course: Course): Consumption {
  const learnerSubnets = subnetsInNetworkStack(course) ? course.learners.length : 0;
  return { ...emptyConsumption(), networks: 1, subnets: 1 + learnerSubnets, routers: 1, routerInterfaces: 1 + learnerSubnets, securityGroups: 4 };
}

function learnerPart(course: Course, learner: Learner): Consumption {
  const flavor = course.cloud.flavors.learner;
  const vms = learner.vms;
  const withVolume = learner.volumeGb > 0 ? vms : 0;
  return {
    ...emptyConsumption(),
    instances: vms,
    vcpus: vms * flavor.vcpus,
    ramMb: vms * flavor.ramMb,
    volumes: withVolume,
    volumeGb: withVolume * learner.volumeGb,
    floatingIps: vms,
    securityGroups: 1,
    subnets: subnetsInNetworkStack(course) ? 0 : 1,
    routerInterfaces: subnetsInNetworkStack(course) ? 0 : 1,
    ports: vms,
  };
}

function monitoringPart(course: Course): Consumption {
  const flavor = course.cloud.flavors.monitoring;
  return {
    ...emptyConsumption(),
    instances: 1,
    vcpus: flavor.vcpus,
    ramMb: flavor.ramMb,
    volumes: 1,
    volumeGb: course.monitoring.volumeGb,
    floatingIps: 1,
    securityGroups: 1,
    ports: 1,
  };
}

function pipelinePart(course: Course): Consumption {
  const flavor = course.cloud.flavors.worker;
  const workers = course.pipeline.workers;
  const onVolume = deploysStorage(course.pipeline, 'volume');
  return {
    ...emptyConsumption(),
    instances: workers,
    vcpus: workers * flavor.vcpus,
    ramMb: workers * flavor.ramMb,
    volumes: onVolume ? 1 : 0,
    volumeGb: onVolume ? course.pipeline.volumeGb : 0,
    securityGroups: 1,
    ports: workers,
    objectContainers: deploysStorage(course.pipeline, 'object') ? 1 : 0,
  };
}

/**
 * Whether a part fills the instructor's project: every part, except learners' in
 * project-per-learner mode, which fill their own projects (quotas set by `accounts create`).
 */
export function inInstructorProject(course: Pick<Course, 'accounts'>, part: Pick<PartEstimate, 'kind'>): boolean {
  return course.accounts.mode !== 'project-per-learner' || part.kind !== 'learner';
}

export function estimateConsumption(course: Course): CourseEstimate {
  const parts: PartEstimate[] = [{ kind: 'network', stack: STACK_NAMES.network(course), consumption: networkPart(course) }];
  for (const learner of course.learners) {
    parts.push({
      kind: 'learner',
      stack: STACK_NAMES.learner(course, learner),
      learnerId: learner.id,
      consumption: learnerPart(course, learner),
    });
  }
  if (course.monitoring.enabled) {
    parts.push({ kind: 'monitoring', stack: STACK_NAMES.monitoring(course), consumption: monitoringPart(course) });
  }
  if (course.pipeline.workers > 0) {
    parts.push({ kind: 'pipeline', stack: STACK_NAMES.pipeline(course), consumption: pipelinePart(course) });
  }
  const learners = parts.filter((p) => p.kind === 'learner').reduce((sum, p) => addConsumption(sum, p.consumption), emptyConsumption());
  const total = parts.reduce((sum, p) => addConsumption(sum, p.consumption), emptyConsumption());
  const instructorProject = parts.filter((p) => inInstructorProject(course, p)).reduce((sum, p) => addConsumption(sum, p.consumption), emptyConsumption());
  return { parts, learners, total, instructorProject };
}

/** One line of the hourly cost: quantity × unit price. */
export interface CostLine {
  item: 'vcpu' | 'ramGb' | 'volumeGb' | 'floatingIp';
  quantity: number;
  unitPrice: number;
  perHour: number;
}

export interface CostEstimate {
  currency: string;
  lines: CostLine[];
  perHour: number;
  /**
   * Whole course: every day from start to end date inclusive, 24 h each (machines run around
   * the clock once `up` has run). Absent when the course has no start or end date.
   */
  hours?: number;
  total?: number;
  /** Why `total` is absent. */
  note?: string;
}

const HOUR_MS = 3_600_000;

/**
 * Hours the course runs: from 00:00 of the start date to 24:00 of the end date (UTC, so daylight
 * saving changes never add or drop an hour). Undefined without both dates or when end < start.
 */
export function courseHours(course: Pick<Course, 'start' | 'end'>): number | undefined {
  if (!course.start || !course.end) return undefined;
  const start = Date.parse(`${course.start}T00:00:00Z`);
  const end = Date.parse(`${course.end}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return undefined;
  return (end - start) / HOUR_MS + 24;
}

/** Undefined when the course file gives no unit prices. */
export function estimateCost(course: Course, total: Consumption): CostEstimate | undefined {
  const prices: UnitPrices | undefined = course.cloud.prices;
  if (!prices) return undefined;
  const lines: CostLine[] = [
    line('vcpu', total.vcpus, prices.vcpuHour),
    line('ramGb', total.ramMb / 1024, prices.ramGbHour),
    line('volumeGb', total.volumeGb, prices.volumeGbHour),
    line('floatingIp', total.floatingIps, prices.floatingIpHour),
  ];
  const perHour = lines.reduce((sum, l) => sum + l.perHour, 0);
  const hours = courseHours(course);
  if (hours === undefined) {
    const note = !course.start || !course.end
      ? 'the course file has no start and end date: only the hourly cost is estimated'
      : 'the end date is before the start date: only the hourly cost is estimated';
    return { currency: prices.currency, lines, perHour, note };
  }
  return { currency: prices.currency, lines, perHour, hours, total: perHour * hours };
}

function line(item: CostLine['item'], quantity: number, unitPrice: number): CostLine {
  return { item, quantity, unitPrice, perHour: quantity * unitPrice };
}
