import type { OpenStackClient } from '../openstack/client.js';
import { deadlineSignal } from '../net/deadline.js';
import { CLOUD_PORTS, type CloudService, type Progress } from './container.js';

/**
 * Readiness of the rehearsal cloud: every API answers on its published port, then (with a
 * token) Nova's compute, scheduler and conductor and Cinder's volume and scheduler services are up.
 */

/** Path probed on each API; any answer below 500 means the service listens and serves. */
const PROBES: Record<CloudService, string> = {
  keystone: '/v3',
  nova: '/',
  cinder: '/',
  placement: '/',
  swift: '/healthcheck',
  glance: '/versions',
  neutron: '/',
};

export async function apiAnswers(service: CloudService, timeoutMs = 3000): Promise<boolean> {
  const deadline = deadlineSignal(timeoutMs);
  try {
    const response = await fetch(`http://127.0.0.1:${CLOUD_PORTS[service]}${PROBES[service]}`, { signal: deadline.signal });
    await response.arrayBuffer();
    return response.status < 500;
  } catch {
    return false;
  } finally {
    deadline.clear();
  }
}

/** Which APIs answer right now. */
export async function probeApis(): Promise<Record<CloudService, boolean>> {
  const services = Object.keys(CLOUD_PORTS) as CloudService[];
  const results = await Promise.all(services.map((s) => apiAnswers(s)));
  return Object.fromEntries(services.map((s, i) => [s, results[i]])) as Record<CloudService, boolean>;
}

/** Polls until every API answers; reports each as it comes up. Bounded by `deadline` (epoch ms). */
export async function waitForApis(deadline: number, progress: Progress, started = Date.now()): Promise<void> {
  const pending = new Set(Object.keys(CLOUD_PORTS) as CloudService[]);
  while (pending.size > 0) {
    const answers = await Promise.all([...pending].map(async (s) => [s, await apiAnswers(s)] as const));
    for (const [service, up] of answers) {
      if (up) {
        pending.delete(service);
        progress(`  ${service} answers on 127.0.0.1:${CLOUD_PORTS[service]} (${seconds(started)})`);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`these APIs did not answer in time: ${[...pending].join(', ')} (logs: docker exec resops-cloud ls /var/log/resops)`);
    }
    await sleep(1000);
  }
}

export interface ServiceState {
  binary: string;
  host: string;
  up: boolean;
  /** Last heartbeat (UTC). */
  updatedAt?: string;
}

/** Nova's and Cinder's services and Neutron's agents (admin token needed). */
export async function serviceStates(client: OpenStackClient): Promise<ServiceState[]> {
  const [compute, volume, agents] = await Promise.all([client.compute.listServices(), client.volume.listServices(), client.network.listAgents()]);
  return [
    ...[...compute, ...volume].map((s) => ({
      binary: s.binary,
      host: s.host,
      up: s.state === 'up' && s.status === 'enabled',
      ...(s.updated_at ? { updatedAt: s.updated_at } : {}),
    })),
    ...agents.map((a) => ({
      binary: a.binary,
      host: a.host,
      up: a.alive && a.admin_state_up,
      ...(a.heartbeat_timestamp ? { updatedAt: a.heartbeat_timestamp } : {}),
    })),
  ];
}

/** Nova and Cinder write heartbeats as UTC without a zone. */
function heartbeatMs(updatedAt: string | undefined): number {
  if (!updatedAt) return 0;
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(updatedAt) ? updatedAt : `${updatedAt}Z`);
}

const REQUIRED_SERVICES = ['nova-compute', 'nova-scheduler', 'nova-conductor', 'cinder-volume', 'cinder-scheduler'];
/**
 * With servers as containers, also Neutron's agents: until the Linux bridge agent has reported,
 * ML2 cannot bind a port and a server made then goes to ERROR ("binding failed").
 */
export const AGENT_SERVICES = ['neutron-linuxbridge-agent', 'neutron-l3-agent'];

/**
 * Polls until every required Nova and Cinder service is up with a heartbeat sent after `since`
 * (the image holds heartbeats from its build: a service must prove it runs in this container).
 * Bounded by `deadline`.
 */
export async function waitForServices(
  client: OpenStackClient,
  deadline: number,
  progress: Progress,
  started = Date.now(),
  since = 0,
  also: string[] = [],
  /** Says why waiting is pointless (a service that gave up), or undefined: checked every round. */
  failFast?: () => Promise<string | undefined>,
): Promise<void> {
  const pending = new Set([...REQUIRED_SERVICES, ...also]);
  for (;;) {
    const hopeless = await failFast?.();
    if (hopeless) throw new Error(hopeless);
    let states: ServiceState[] = [];
    try {
      states = await serviceStates(client);
    } catch {
      // An API can answer its root before its database and message queue are ready.
      states = [];
    }
    for (const binary of [...pending]) {
      if (states.some((s) => s.binary === binary && s.up && heartbeatMs(s.updatedAt) >= since)) {
        pending.delete(binary);
        progress(`  ${binary} is up (${seconds(started)})`);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) throw new Error(`these services are not up in time: ${[...pending].join(', ')}`);
    await sleep(2000);
  }
}

export function seconds(since: number): string {
  return `${Math.round((Date.now() - since) / 1000)} s`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Names of the probe's own volume and server, so a probe interrupted half-way is cleaned up by the next. */
export const PROBE_NAME = 'resops-ready-probe';

/**
 * Proves the cloud can schedule: a 1 GB volume must become `available` and a server without a
 * network `ACTIVE`, then both are deleted. Services that say "up" are not enough: after a restart
 * Cinder's scheduler has no backend until the volume service reports its capacity again, and a
 * volume made before then goes to `error` ("No valid backend was found"). A probe that ends in
 * error is deleted and tried again until `deadline`.
 */
export async function waitForScheduling(
  client: OpenStackClient,
  deadline: number,
  progress: Progress,
  started = Date.now(),
  resources: { flavorId: string; imageId: string },
): Promise<{ attempts: number }> {
  let attempts = 0;
  for (;;) {
    attempts++;
    await removeProbes(client, deadline);
    const failure = await probeOnce(client, deadline, resources);
    if (failure === undefined) {
      progress(`  a volume and a server were scheduled (${seconds(started)}${attempts > 1 ? `, attempt ${attempts}` : ''})`);
      await removeProbes(client, deadline);
      return { attempts };
    }
    if (Date.now() > deadline) {
      await removeProbes(client, deadline + 60_000);
      throw new Error(`the cloud cannot schedule yet: ${failure}`);
    }
    progress(`  not schedulable yet (${failure}); trying again`);
    await sleep(3000);
  }
}

/** undefined when both came up; else what went wrong. */
async function probeOnce(client: OpenStackClient, deadline: number, resources: { flavorId: string; imageId: string }): Promise<string | undefined> {
  const metadata = { 'resops-probe': 'ready' };
  const volume = await client.volume.createVolume({ name: PROBE_NAME, size: 1, metadata });
  const server = await client.compute.createServer({ name: PROBE_NAME, flavorId: resources.flavorId, imageId: resources.imageId, networks: 'none', metadata });
  const [volumeState, serverState] = await Promise.all([
    settle(deadline, async () => {
      const v = await client.volume.getVolume(volume.id);
      return v?.status === 'available' ? 'ok' : v?.status === 'error' ? 'the probe volume went to error (no volume backend yet)' : undefined;
    }),
    settle(deadline, async () => {
      const s = await client.compute.getServer(server.id);
      return s?.status === 'ACTIVE' ? 'ok' : s?.status === 'ERROR' ? `the probe server went to ERROR (${s.fault ?? 'no fault given'})` : undefined;
    }),
  ]);
  const failures = [volumeState, serverState].filter((s) => s !== 'ok');
  return failures.length === 0 ? undefined : failures.join('; ');
}

/** Polls `check` every second until it gives an answer or the deadline passes. */
async function settle(deadline: number, check: () => Promise<string | undefined>): Promise<string> {
  for (;;) {
    const answer = await check();
    if (answer !== undefined) return answer;
    if (Date.now() > deadline) return 'still not ready at the deadline';
    await sleep(1000);
  }
}

/** Deletes every probe volume and server and waits until they are gone (bounded). */
async function removeProbes(client: OpenStackClient, deadline: number): Promise<void> {
  const until = Math.max(deadline, Date.now() + 60_000);
  for (;;) {
    const servers = (await client.compute.listServers({ name: `^${PROBE_NAME}$` })).filter((s) => s.name === PROBE_NAME);
    const volumes = (await client.volume.listVolumes()).filter((v) => v.name === PROBE_NAME);
    if (servers.length === 0 && volumes.length === 0) return;
    await Promise.all(servers.map((s) => client.compute.deleteServer(s.id)));
    // A volume being created or deleted cannot be deleted; it is asked again next round.
    await Promise.all(volumes.filter((v) => ['available', 'error'].includes(v.status)).map((v) => client.volume.deleteVolume(v.id)));
    if (Date.now() > until) throw new Error(`the readiness probe's ${servers.length} server(s) and ${volumes.length} volume(s) named ${PROBE_NAME} could not be deleted`);
    await sleep(1000);
  }
}
