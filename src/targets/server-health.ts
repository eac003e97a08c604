/**
 * The health part of `status --target openstack`, as the local target shows it for containers:
 * does each running server answer SSH on its floating IP, and does the monitoring host's
 * Prometheus scrape its node-exporter (`up` of job `node`, the series InstanceDown watches).
 * The probes are passed in, so the rules here run without a cloud.
 */
import { formatTable } from '../cli/table.js';
import type { CheckResult } from '../local/checks.js';
import type { CourseServer } from '../openstack/servers.js';
import { MONITORING_PORTS } from '../../stacks/constructs/monitoring-host.js';

/** node-exporter's port, as Prometheus' relabelling names the instance: `<server>:9100`. */
const NODE_PORT = 9100;

export interface HealthProbes {
  ssh(address: string): Promise<CheckResult>;
  nodeUp(prometheusUrl: string): Promise<{ up: Map<string, number>; error?: string }>;
  /** Throws when this machine must not send to `address` (a rehearsal-cloud address whose route leads elsewhere). */
  guard(address: string): Promise<void>;
}

export interface ServerHealth {
  server: string;
  owner: string;
  status: string;
  /** Absent: not checked (not running, or no floating IP: reached through the monitoring host). */
  ssh?: CheckResult;
  /** Absent: the course has no monitoring host. */
  scraped?: CheckResult;
  ok: boolean;
}

export interface HealthReport {
  /** Where `up` was read, when there was a Prometheus to ask. */
  prometheus?: string;
  servers: ServerHealth[];
  ok: boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function scrapes(servers: CourseServer[], monitoringEnabled: boolean, probes: HealthProbes): Promise<{ url?: string; read: (server: CourseServer) => CheckResult | undefined }> {
  if (!monitoringEnabled) return { read: () => undefined };
  const host = servers.find((s) => s.role === 'monitoring');
  const address = host?.floatingAddresses[0];
  const unknown = (detail: string) => ({ read: (server: CourseServer) => ({ check: `Prometheus scrapes ${server.name}:${NODE_PORT}`, ok: false, detail }) });
  if (!host) return unknown('no monitoring host in the cloud');
  if (host.status !== 'ACTIVE' || !address) return unknown(`the monitoring host is ${host.status}${address ? '' : ', without a floating IP'}`);
  const url = `http://${address}:${MONITORING_PORTS.prometheus}`;
  try {
    await probes.guard(address);
  } catch (error) {
    return { url, ...unknown(errorText(error)) };
  }
  const answer = await probes.nodeUp(url);
  return {
    url,
    read: (server) => {
      const instance = `${server.name}:${NODE_PORT}`;
      const check = `Prometheus at ${url} scrapes ${instance}`;
      if (answer.error) return { check, ok: false, detail: `Prometheus did not answer: ${answer.error}` };
      const up = answer.up.get(instance);
      if (up === undefined) return { check, ok: false, detail: 'not a target: discovery has not found it (is the monitoring host configured?)' };
      return { check, ok: up === 1, detail: up === 1 ? 'up == 1' : 'up == 0: its node-exporter does not answer' };
    },
  };
}

/** Every server of the course, or one learner's (`learner`): the monitoring host is where `up` is read either way. */
export async function serverHealth(servers: CourseServer[], options: { monitoringEnabled: boolean; learner?: string }, probes: HealthProbes): Promise<HealthReport> {
  const scraped = await scrapes(servers, options.monitoringEnabled, probes);
  const shown = options.learner === undefined ? servers : servers.filter((s) => s.learner === options.learner);
  const rows = await Promise.all(
    shown.map(async (server): Promise<ServerHealth> => {
      const owner = server.learner ?? `(${server.role ?? 'unlabelled'})`;
      const address = server.floatingAddresses[0];
      let ssh: CheckResult | undefined;
      if (server.status === 'ACTIVE' && address) {
        try {
          await probes.guard(address);
          ssh = await probes.ssh(address);
        } catch (error) {
          ssh = { check: `SSH answers on ${address}:22`, ok: false, detail: errorText(error) };
        }
      }
      const scrape = scraped.read(server);
      const ok = server.status === 'ACTIVE' && (ssh?.ok ?? true) && (scrape?.ok ?? true);
      return { server: server.name, owner, status: server.status, ...(ssh ? { ssh } : {}), ...(scrape ? { scraped: scrape } : {}), ok };
    }),
  );
  return { ...(scraped.url ? { prometheus: scraped.url } : {}), servers: rows, ok: rows.every((r) => r.ok) };
}

function cell(result: CheckResult | undefined, otherwise: string): string {
  if (!result) return otherwise;
  return `${result.ok ? '✔' : '✖'} ${result.detail}`;
}

export function renderServerHealth(report: HealthReport): string[] {
  if (report.servers.length === 0) return ['no servers'];
  const rows = report.servers.map((r) => [
    r.owner,
    r.server,
    cell(r.ssh, r.status === 'ACTIVE' ? '- no floating IP' : `✖ ${r.status}`),
    cell(r.scraped, '- no monitoring'),
  ]);
  return [...formatTable(['owner', 'server', 'ssh', 'scraped'], rows), ...(report.prometheus ? [`node-exporters as Prometheus sees them: ${report.prometheus}`] : [])];
}
