/**
 * How the openstack target asks the course's cloud (through the toolkit's client, src/openstack/)
 * and how the client's expected failures become TargetErrors that name the cloud and the call and
 * say what to do. The client's messages never contain a password, secret or token; neither do the
 * hints added here.
 */
import type { Credential } from '../access/gnocchi-users.js';
import type { Course } from '../course/model.js';
import { clientFor, OpenStackClient, type CloudRef } from '../openstack/client.js';
import { readProjectQuota, type ProjectQuota } from '../openstack/quota.js';
import { describeSearch, effectiveCloudName, findCloudConfig } from '../openstack/cloud-config.js';
import {
  AuthenticationError,
  CloudConfigError,
  CloudUnreachableError,
  NoCloudConfiguredError,
  NoEndpointError,
  OpenStackApiError,
} from '../openstack/errors.js';
import { findLeftovers, sweepLeftovers } from '../openstack/leftovers.js';
import { courseSpendItems } from '../openstack/course-spend.js';
import { listCourseServers } from '../openstack/servers.js';
import { nodeUp, sshBanner } from '../local/checks.js';
import { isLoopbackUrl } from '../openstack/servers-endpoints.js';
import { deleteSubnetHolders, serversHoldingSubnets } from '../openstack/subnet-holders.js';
import { deleteDiscoveryCredential } from '../openstack/discovery-credential.js';
import { TargetError } from './driver.js';
import type { HealthProbes } from './server-health.js';

/** The cloud calls the driver makes; tests of the driver pass fakes. */
export interface CourseCloudApi {
  connect(cloudName: string, region?: string): Promise<CloudRef>;
  listCourseServers: typeof listCourseServers;
  findLeftovers: typeof findLeftovers;
  sweepLeftovers: typeof sweepLeftovers;
  readQuota(cloud: CloudRef): Promise<ProjectQuota>;
  /**
   * How `status` checks the servers' health from this machine (SSH banners, Prometheus' `up`);
   * `prometheusLogin`: the course's admin login, absent when its state directory has none.
   */
  healthProbes(cloudName: string, prometheusLogin?: Credential): HealthProbes;
  /** Servers no stack of the course made, on its subnets (a learner's learner only): `down` cannot delete a subnet under them. Absent: not asked. */
  subnetHolders?: typeof serversHoldingSubnets;
  deleteSubnetHolders?: typeof deleteSubnetHolders;
  /** A full `down`'s deletion of Prometheus' discovery credential; what it deleted, for the log. Absent: not asked. */
  deleteDiscoveryCredential?: (cloud: CloudRef, course: Course) => Promise<string | undefined>;
  /** A full `down`'s deletion of the learners' accounts (`resops accounts`); what it deleted, for the log. Absent: not asked. */
  deleteLearnerAccounts?: (cloud: CloudRef, course: Course) => Promise<string | undefined>;
  /** `status`: the course's billable resources now, for the cost so far. Absent: not asked. */
  spendItems?: typeof courseSpendItems;
}

export const openstackApi: CourseCloudApi = {
  connect: connectCourseCloud,
  listCourseServers,
  findLeftovers,
  sweepLeftovers,
  readQuota: async (cloud) => readProjectQuota(await clientFor(cloud)),
  healthProbes: hostHealthProbes,
  subnetHolders: serversHoldingSubnets,
  deleteSubnetHolders,
  deleteDiscoveryCredential: async (cloud, course) => {
    const client = await clientFor(cloud);
    return deleteDiscoveryCredential(course, client.session, client.identity);
  },
  deleteLearnerAccounts: async (cloud, course) => {
    const { dropCourseAccounts } = await import('../accounts/learner-accounts.js');
    return dropCourseAccounts(course, await clientFor(cloud));
  },
  spendItems: courseSpendItems,
};

/**
 * Probes from this machine. A cloud whose Keystone is on this machine's loopback is a rehearsal
 * cloud: its floating IPs are only contacted once the route to them is known to lead into a
 * rehearsal cloud's own networks, never along the default route.
 */
export function hostHealthProbes(cloudName: string, prometheusLogin?: Credential): HealthProbes {
  const authUrl = findCloudConfig(cloudName)?.authUrl;
  const rehearsal = authUrl !== undefined && isLoopbackUrl(authUrl);
  return {
    ssh: (address) => sshBanner(22, 3000, address),
    nodeUp: async (url) =>
      prometheusLogin ? nodeUp(url, prometheusLogin) : { up: new Map(), error: 'no login: the course\'s state directory has no gnocchi-users.yml (run `configure` from the state directory that made the course)' },
    guard: async (address) => {
      if (!rehearsal) return;
      const [{ default: Docker }, { requireRouteIntoCloud }] = await Promise.all([import('dockerode'), import('../cloud/route-check.js')]);
      // null: any rehearsal cloud, whatever its container is called (tests and instructors name their own).
      await requireRouteIntoCloud(new Docker(), address, null);
    },
  };
}

/** The cloud the course runs on: OS_CLOUD, else `cloud.name` (what Terraform's provider uses too). */
export function courseCloudName(course: Course): string {
  return effectiveCloudName(course.cloud.name);
}

/**
 * One authenticated client for all calls of a command (one token request). The course's region
 * applies unless the credentials name one themselves, as in preflight.
 */
export async function connectCourseCloud(cloudName: string, region?: string): Promise<OpenStackClient> {
  const config = findCloudConfig(cloudName);
  if (!config) throw new NoCloudConfiguredError(`no credentials for cloud "${cloudName}" (looked in ${describeSearch()})`);
  return OpenStackClient.connect({ ...config, regionName: config.regionName ?? region });
}

/**
 * Runs `work`; an expected failure of the client becomes a TargetError
 * `cloud "<cloud>", <call>: <what the client said>` with a hint. Anything else (a bug)
 * is rethrown as is.
 */
export async function askCloud<T>(cloud: string, call: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw cloudTargetError(cloud, call, error);
  }
}

/** The TargetError for an expected client failure, or `error` itself when it is not one. */
export function cloudTargetError(cloud: string, call: string, error: unknown): unknown {
  const hint = hintFor(cloud, error);
  if (hint === undefined) return error;
  return new TargetError(`cloud "${cloud}", ${call}: ${(error as Error).message}`, hint);
}

function hintFor(cloud: string, error: unknown): string | undefined {
  if (error instanceof NoCloudConfiguredError) {
    return `add an entry "${cloud}" to clouds.yaml or set OS_* variables (an openrc file); OS_CLOUD=NAME picks another entry, e.g. OS_CLOUD=resops-local for the rehearsal cloud`;
  }
  if (error instanceof CloudConfigError) return `fix the entry "${cloud}" of clouds.yaml (or the OS_* variables) as the message says`;
  if (error instanceof AuthenticationError) {
    return `check the credentials of "${cloud}" (clouds.yaml, secure.yaml or OS_* variables): the password may have changed or the application credential expired`;
  }
  if (error instanceof CloudUnreachableError) {
    return 'check that the cloud answers from this machine (network, VPN, proxy, auth_url in clouds.yaml); for the rehearsal cloud, `resops cloud status`';
  }
  if (error instanceof NoEndpointError) return `check region_name and interface of "${cloud}" in clouds.yaml: the service catalog has no such endpoint`;
  if (error instanceof OpenStackApiError) {
    if (error.status === 401 || error.status === 403) {
      return `the credentials of "${cloud}" may not make this call: use those of a member of the course's project (the ones Terraform uses)`;
    }
    if (error.status >= 500) return 'the cloud failed the call: try again, and tell its operators if it keeps failing';
    return 'the cloud refused the call: its answer above says why';
  }
  return undefined;
}
