/**
 * The toolkit's OpenStack client (issue 7). Everything the CLI, preflight, the openstack driver
 * and exercise checks need is exported here.
 */
export { OpenStackClient, connectCloud, clientFor, type CloudRef } from './client.js';
export {
  findCloudConfig,
  effectiveCloudName,
  rehearsalCloudDir,
  cloudsYamlCandidates,
  describeSearch,
  type CloudConfig,
  type ConfigEnvironment,
} from './cloud-config.js';
export {
  OpenStackApiError,
  CloudUnreachableError,
  AuthenticationError,
  CloudConfigError,
  NoEndpointError,
  NoCloudConfiguredError,
} from './errors.js';
export { fetchProjectQuota, readProjectQuota, type ProjectQuota, type QuotaUsage } from './quota.js';
export { listCourseServers, type CourseServer } from './servers.js';
export { findLeftovers, sweepLeftovers, formatLeftovers, SWEEP_ORDER, type Leftover, type LeftoverKind, type SweepResult, type SweepOptions } from './leftovers.js';
export { serverIsActive, securityGroupHasRule, type CloudCheckResult, type RuleSpec } from './checks.js';
export { belongsToCourse, courseLabel } from './ownership.js';
