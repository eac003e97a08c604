/**
 * Compares what a course needs with what the project has left. Pure: the quota comes from
 * fetchProjectQuota (or a test), the need from estimateConsumption.
 */
import type { Consumption } from '../course/estimate.js';
import type { ProjectQuota, QuotaUsage } from '../openstack/quota.js';

export type QuotaKey = Exclude<keyof ProjectQuota, 'cloud'>;

export const QUOTA_KEYS: readonly QuotaKey[] = [
  'instances',
  'cores',
  'ramMb',
  'volumes',
  'volumeGb',
  'floatingIps',
  'securityGroups',
  'networks',
  'subnets',
  'routers',
  'ports',
];

/** How much of each quota the course takes. Neutron counts router interfaces as ports. */
export function courseDemand(total: Consumption): Record<QuotaKey, number> {
  return {
    instances: total.instances,
    cores: total.vcpus,
    ramMb: total.ramMb,
    volumes: total.volumes,
    volumeGb: total.volumeGb,
    floatingIps: total.floatingIps,
    securityGroups: total.securityGroups,
    networks: total.networks,
    subnets: total.subnets,
    routers: total.routers,
    ports: total.ports + total.routerInterfaces,
  };
}

export interface QuotaRow {
  key: QuotaKey;
  /** -1 = unlimited. */
  limit: number;
  inUse: number;
  course: number;
  need: number;
  exceeded: boolean;
}

export interface QuotaComparison {
  cloud: string;
  rows: QuotaRow[];
  /** One message per exceeded limit, e.g. `cores: need 14 (in use 2 + course 12) > limit 10`. */
  exceeded: string[];
}

export function compareQuota(quota: ProjectQuota, total: Consumption): QuotaComparison {
  const demand = courseDemand(total);
  const rows = QUOTA_KEYS.map((key) => row(key, quota[key], demand[key]));
  return {
    cloud: quota.cloud,
    rows,
    exceeded: rows.filter((r) => r.exceeded).map(exceededMessage),
  };
}

function row(key: QuotaKey, usage: QuotaUsage, course: number): QuotaRow {
  const need = usage.inUse + course;
  // Any negative limit means "no limit" to OpenStack; -1 is what the APIs return.
  const exceeded = usage.limit >= 0 && need > usage.limit;
  return { key, limit: usage.limit, inUse: usage.inUse, course, need, exceeded };
}

export function exceededMessage(r: QuotaRow): string {
  return `${r.key}: need ${r.need} (in use ${r.inUse} + course ${r.course}) > limit ${r.limit}`;
}
