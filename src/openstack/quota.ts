/**
 * Contract between preflight and the OpenStack client. The client work (issue 7) replaces the
 * body of fetchProjectQuota; preflight only depends on these types.
 */

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

/** No cloud is configured (no clouds.yaml entry, no OS_* variables): quota cannot be checked. */
export class NoCloudConfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoCloudConfiguredError';
  }
}

/**
 * Reads the project's compute, network and volume quotas and usage from the named cloud.
 * Throws NoCloudConfiguredError when no credentials for `cloudName` can be found.
 */
export async function fetchProjectQuota(cloudName: string, _region?: string): Promise<ProjectQuota> {
  throw new NoCloudConfiguredError(`no OpenStack client yet: quota of cloud "${cloudName}" not checked`);
}
