/**
 * `status`: per learner VM and per monitoring service, whether it runs and whether it is healthy,
 * naming the check that decided it (so a user can repeat it by hand).
 */
import { existingGnocchiUsers } from '../access/gnocchi-users.js';
import type Docker from 'dockerode';
import { formatTable } from '../cli/table.js';
import { LABELS, type Course } from '../course/model.js';
import { httpCheck, nodeUp, sshBanner, type CheckResult } from './checks.js';
import { containerName, listCourseObjects } from './reconcile.js';
import { localLayout, type ContainerSpec, type ServiceName } from './layout.js';

export type State = 'missing' | 'stopped' | 'running' | 'healthy' | 'unhealthy';

export interface VmStatus {
  learner: string;
  container: string;
  vm: number;
  state: State;
  /** How to log in. */
  ssh: string;
  checks: CheckResult[];
}

export interface ServiceStatus {
  service: ServiceName;
  container: string;
  state: State;
  /** Where to open it from this machine (none for postgres). */
  url?: string;
  checks: CheckResult[];
}

export interface StatusReport {
  course: string;
  /** Every VM and service healthy. */
  healthy: boolean;
  /** Whether anything of the course exists on this Docker daemon at all. */
  exists: boolean;
  learners: Array<{ id: string; vms: VmStatus[] }>;
  services: ServiceStatus[];
  /** The pipeline's worker containers as Docker reports them (not part of `healthy`: runs start stopped ones). */
  workers: Array<{ container: string; state: string; image: string }>;
}

const READY_PATH: Record<Exclude<ServiceName, 'postgres' | 'gnocchi'>, string> = {
  prometheus: '/-/ready',
  pushgateway: '/-/ready',
  alertmanager: '/-/ready',
};

export function sshCommand(spec: ContainerSpec): string {
  return `ssh -p ${spec.ports[0]?.hostPort} ${spec.learner?.id}@127.0.0.1`;
}

export function serviceUrl(spec: ContainerSpec): string | undefined {
  const port = spec.ports[0]?.hostPort;
  return port ? `http://127.0.0.1:${port}` : undefined;
}

function stateOf(found: Docker.ContainerInfo | undefined, checks: CheckResult[]): State {
  if (!found) return 'missing';
  if (found.State !== 'running') return 'stopped';
  if (!checks.length) return 'running';
  return checks.every((c) => c.ok) ? 'healthy' : 'unhealthy';
}

export async function collectStatus(docker: Docker, course: Course, learnerFilter?: string): Promise<StatusReport> {
  // Status needs names and ports only; the indexer password plays no part.
  const layout = localLayout(course, { dbPassword: 'unused' });
  const existing = await listCourseObjects(docker, course.id);
  const byName = new Map(existing.containers.map((c) => [containerName(c), c]));
  const running = (name: string) => byName.get(name)?.State === 'running';
  const prometheus = layout.containers.find((c) => c.service === 'prometheus');
  // Read-only: a course whose users file is gone gets a 401 from these, which is the truth.
  const admin = existingGnocchiUsers(course)?.admin ?? '';
  const login = `admin:${admin}`;
  const scrape = prometheus && running(prometheus.name) ? await nodeUp(prometheus.ports[0]!.hostPort, { user: 'admin', password: admin }) : undefined;

  const vmStatus = async (spec: ContainerSpec): Promise<VmStatus> => {
    const found = byName.get(spec.name);
    const checks: CheckResult[] = [];
    if (found?.State === 'running') {
      checks.push(await sshBanner(spec.ports[0]!.hostPort));
      if (course.monitoring.enabled) {
        const instance = `${spec.name}:9100`;
        const check = `Prometheus up{job="node",instance="${instance}"} == 1`;
        const value = scrape?.up.get(instance);
        const detail = !scrape ? 'Prometheus is not running' : scrape.error ? `Prometheus: ${scrape.error}` : value === undefined ? 'not scraped yet' : `up = ${value}`;
        checks.push({ check, ok: value === 1, detail });
      }
    }
    return { learner: spec.learner!.id, container: spec.name, vm: spec.vm!, state: stateOf(found, checks), ssh: sshCommand(spec), checks };
  };

  const serviceStatus = async (spec: ContainerSpec): Promise<ServiceStatus> => {
    const service = spec.service as ServiceName;
    const found = byName.get(spec.name);
    const checks: CheckResult[] = [];
    const url = serviceUrl(spec);
    if (found?.State === 'running') {
      if (service === 'postgres') checks.push(await dockerHealth(docker, found));
      else if (service === 'gnocchi') {
        checks.push(await httpCheck(`GET ${url}/v1/status (basic auth admin)`, `${url}/v1/status`, { auth: login, timeoutMs: 5000 }));
      }
      // The Pushgateway has no login (no learner reaches it); Prometheus and Alertmanager want one.
      else if (service === 'pushgateway') checks.push(await httpCheck(`GET ${url}${READY_PATH[service]}`, `${url}${READY_PATH[service]}`));
      else checks.push(await httpCheck(`GET ${url}${READY_PATH[service]} (basic auth admin)`, `${url}${READY_PATH[service]}`, { auth: login }));
    }
    return { service, container: spec.name, state: stateOf(found, checks), ...(url ? { url } : {}), checks };
  };

  const learners = course.learners.filter((l) => !learnerFilter || l.id === learnerFilter);
  const [vms, services] = await Promise.all([
    Promise.all(layout.containers.filter((c) => c.service === 'vm' && learners.some((l) => l.id === c.learner?.id)).map(vmStatus)),
    Promise.all(layout.containers.filter((c) => c.role === 'monitoring').map(serviceStatus)),
  ]);
  const report: StatusReport = {
    course: course.id,
    healthy: [...vms, ...services].every((s) => s.state === 'healthy' || s.state === 'running'),
    exists: existing.containers.length + existing.networks.length > 0,
    learners: learners.map((l) => ({ id: l.id, vms: vms.filter((v) => v.learner === l.id) })),
    services,
    workers: existing.containers
      .filter((c) => c.Labels?.[LABELS.role] === 'worker')
      .map((c) => ({ container: containerName(c), state: c.State, image: c.Image }))
      .sort((a, b) => a.container.localeCompare(b.container)),
  };
  return report;
}

async function dockerHealth(docker: Docker, found: Docker.ContainerInfo): Promise<CheckResult> {
  const check = 'pg_isready in the container (Docker health check)';
  try {
    const info = await docker.getContainer(found.Id).inspect();
    const health = info.State.Health?.Status ?? 'none';
    return { check, ok: health === 'healthy', detail: health };
  } catch (error) {
    return { check, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Human-readable status: one row per VM and per service, with the deciding check. */
export function formatStatus(report: StatusReport): string[] {
  const summary = (checks: CheckResult[]) =>
    checks.map((c) => `${c.ok ? 'ok' : 'FAIL'}: ${c.check} (${c.detail})`).join('; ') || '-';
  const vmRows = report.learners.flatMap((l) => l.vms.map((v) => [l.id, `vm${v.vm}`, v.state, v.ssh, summary(v.checks)]));
  const lines = [`course ${report.course}: ${report.healthy ? 'healthy' : 'NOT healthy'}`, ''];
  lines.push(...formatTable(['LEARNER', 'VM', 'STATE', 'LOGIN', 'CHECKS'], vmRows));
  if (report.services.length) {
    lines.push('');
    lines.push(...formatTable(['SERVICE', 'STATE', 'URL', 'CHECKS'], report.services.map((s) => [s.service, s.state, s.url ?? '-', summary(s.checks)])));
  }
  if (report.workers.length) {
    lines.push('');
    lines.push(...formatTable(['PIPELINE WORKER', 'STATE', 'IMAGE'], report.workers.map((w) => [w.container, w.state, w.image])));
  }
  return lines;
}
