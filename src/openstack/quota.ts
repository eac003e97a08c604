/**
 * Contract between preflight and the OpenStack client. The client work (issue 7) replaces the
 * body of fetchProjectQuota; preflight only depends on these types.
 */
import { OpenStackClient } from './client.js';
import { describeSearch, effectiveCloudName, findCloudConfig } from './cloud-config.js';
import { NoCloudConfiguredError } from './errors.js';

/** `limit` is -1 when the cloud sets no limit. */
export interface QuotaUsage {
  limit: number;
  inUse: number;
}

export interface ProjectQuota {
  /** clouds.yaml cloud the numbers came from. */
  cloud: string;
  instances: QuotaUsage;
  cores: QuotaUsage;
  ramMb: QuotaUsage;
  volumes: QuotaUsage;
  volumeGb: QuotaUsage;
  floatingIps: QuotaUsage;
  securityGroups: QuotaUsage;
  networks: QuotaUsage;
  subnets: QuotaUsage;
  routers: QuotaUsage;
  ports: QuotaUsage;
}

// Defined in errors.ts so the client can throw it without an import cycle; preflight imports it from here.
export { NoCloudConfiguredError } from './errors.js';

/**
 * Reads the project's compute, network and volume quotas and usage from the named cloud.
 * Throws NoCloudConfiguredError when no credentials for `cloudName` can be found.
 */
export async function fetchProjectQuota(cloudName: string, region?: string): Promise<ProjectQuota> {
  const name = effectiveCloudName(cloudName);
  const config = findCloudConfig(name);
  if (!config) {
    throw new NoCloudConfiguredError(`no credentials for cloud "${name}" (looked in ${describeSearch()}): quota not checked`);
  }
  // The course's region applies unless the credentials name one themselves.
  const client = await OpenStackClient.connect({ ...config, regionName: config.regionName ?? region });
  return readProjectQuota(client);
}

/** Quota and usage of the client's project, from Nova, Neutron and Cinder (three calls in parallel). */
export async function readProjectQuota(client: OpenStackClient): Promise<ProjectQuota> {
  const project = client.projectId;
  const hasVolume = client.session.hasService('volume');
  const [compute, network, volume] = await Promise.all([
    client.compute.quotaDetail(project),
    client.network.quotaDetail(project),
    hasVolume ? client.volume.quotaDetail(project) : Promise.resolve(undefined),
  ]);
  const usage = (entry: { limit: number; in_use?: number; used?: number; reserved?: number } | undefined, what: string): QuotaUsage => {
    if (!entry) throw new Error(`cloud "${client.cloud}" reported no ${what} quota`);
    // Reserved = being created right now; it counts against the limit like usage does.
    return { limit: entry.limit, inUse: (entry.in_use ?? entry.used ?? 0) + Math.max(0, entry.reserved ?? 0) };
  };
  // No block-storage service: no volume can be created at all.
  const noVolumes: QuotaUsage = { limit: 0, inUse: 0 };
  return {
    cloud: client.cloud,
    instances: usage(compute.instances, 'compute instances'),
    cores: usage(compute.cores, 'compute cores'),
    ramMb: usage(compute.ram, 'compute ram'),
    volumes: volume ? usage(volume.volumes, 'volumes') : noVolumes,
    volumeGb: volume ? usage(volume.gigabytes, 'volume gigabytes') : noVolumes,
    floatingIps: usage(network.floatingip, 'floating IP'),
    securityGroups: usage(network.security_group, 'security group'),
    networks: usage(network.network, 'network'),
    subnets: usage(network.subnet, 'subnet'),
    routers: usage(network.router, 'router'),
    ports: usage(network.port, 'port'),
  };
}
