import { existingAdminLogin } from '../access/gnocchi-users.js';
import { describeExpiry } from '../course/expiry.js';
import type { Course } from '../course/model.js';
import { courseSpendOf, type Spend } from '../course/spend.js';

/**
 * The dashboard's second view: how each learner's machines are (SSH answers, Prometheus scrapes
 * its node-exporter), the shared services, the alerts firing now, and what the course costs.
 * Asked of the target every few seconds by the dashboard; every probe has its own deadline.
 */

export type MachineState = 'ok' | 'sick' | 'down';

export interface MachineHealth {
  name: string;
  /** The learner it belongs to; absent for shared machines (monitoring, workers). */
  learner?: string;
  role: string;
  state: MachineState;
  /** What decided the state, as the check says it. */
  detail: string;
}

export interface FiringAlert {
  name: string;
  instance?: string;
  learner?: string;
  severity?: string;
}

export interface TimeAndMoney {
  start?: string;
  end?: string;
  expiry: string;
  /** The expiry is within 24 h or past. */
  expiryWarning: boolean;
  cost?: Spend;
}

export interface HealthView {
  checkedAt: string;
  machines: MachineHealth[];
  alerts: FiringAlert[];
  time: TimeAndMoney;
  /** Why the target could not be asked (the rest of the view is then empty). */
  error?: string;
}

export type HealthSource = () => Promise<HealthView>;

/** Which learner an instance (`<course>-<learner>-vm1:9100`) belongs to. */
export function learnerOfInstance(course: Pick<Course, 'id' | 'learners'>, instance: string | undefined): string | undefined {
  if (!instance) return undefined;
  const host = instance.replace(/:\d+$/, '');
  return course.learners.find((l) => host.startsWith(`${course.id}-${l.id}-`))?.id;
}

function timeOf(course: Course, cost?: Spend): TimeAndMoney {
  const expiry = describeExpiry(course);
  return { ...(course.start ? { start: course.start } : {}), ...(course.end ? { end: course.end } : {}), expiry: expiry.line, expiryWarning: expiry.warn, ...(cost ? { cost } : {}) };
}

function failed(course: Course, error: unknown): HealthView {
  return { checkedAt: new Date().toISOString(), machines: [], alerts: [], time: timeOf(course), error: error instanceof Error ? error.message : String(error) };
}

async function firingAlerts(course: Course, prometheus: number | string | undefined): Promise<FiringAlert[]> {
  const login = existingAdminLogin(course);
  if (prometheus === undefined || !login) return [];
  const { promQuery } = await import('../local/checks.js');
  try {
    const samples = await promQuery(prometheus, 'ALERTS{alertstate="firing"}', login);
    return samples.map((s) => {
      const learner = learnerOfInstance(course, s.labels.instance);
      return { name: s.labels.alertname ?? '?', ...(s.labels.instance ? { instance: s.labels.instance } : {}), ...(learner ? { learner } : {}), ...(s.labels.severity ? { severity: s.labels.severity } : {}) };
    });
  } catch {
    return [];
  }
}

/**
 * The monitoring host's firing alerts, asked on its floating IP as the scrape check asks `up`;
 * the route is checked again here because the scrape check reports a refused route as a failed
 * check, not as a reason to stay away.
 */
async function cloudAlerts(course: Course, prometheus: string | undefined, guard: (address: string) => Promise<void>): Promise<FiringAlert[]> {
  if (prometheus === undefined || !course.monitoring.enabled) return [];
  try {
    await guard(new URL(prometheus).hostname);
  } catch {
    return [];
  }
  return firingAlerts(course, prometheus);
}

/** The local target: the course's containers on this Docker daemon, as `status` sees them. */
export function localHealth(course: Course): HealthSource {
  return async () => {
    try {
      const [{ connectDocker }, { collectStatus }, { localLayout }] = await Promise.all([import('../local/docker.js'), import('../local/status.js'), import('../local/layout.js')]);
      const { docker } = await connectDocker();
      const report = await collectStatus(docker, course);
      const detail = (checks: Array<{ check: string; ok: boolean; detail: string }>, state: string) => checks.find((c) => !c.ok) ? `${checks.find((c) => !c.ok)!.check}: ${checks.find((c) => !c.ok)!.detail}` : state;
      const stateOf = (state: string): MachineState => (state === 'healthy' || state === 'running' ? 'ok' : state === 'unhealthy' ? 'sick' : 'down');
      const machines: MachineHealth[] = [
        ...report.learners.flatMap((l) => l.vms.map((v) => ({ name: v.container, learner: l.id, role: 'learner', state: stateOf(v.state), detail: detail(v.checks, v.state) }))),
        ...report.services.map((s) => ({ name: s.container, role: s.service, state: stateOf(s.state), detail: detail(s.checks, s.state) })),
        ...report.workers.map((w) => ({ name: w.container, role: 'worker', state: (w.state === 'running' ? 'ok' : 'down') as MachineState, detail: w.state })),
      ];
      const prometheus = localLayout(course, { dbPassword: 'unused' }).containers.find((c) => c.service === 'prometheus')?.ports[0]?.hostPort;
      const alerts = course.monitoring.enabled ? await firingAlerts(course, prometheus) : [];
      return { checkedAt: new Date().toISOString(), machines, alerts, time: timeOf(course) };
    } catch (error) {
      return failed(course, error);
    }
  };
}

/** The openstack target: Nova's view of the servers, SSH and scrapes as `status` checks them, and the cost so far. */
export function openstackHealth(course: Course): HealthSource {
  return async () => {
    try {
      const [{ openstackApi, courseCloudName }, { serverHealth }] = await Promise.all([import('../targets/course-cloud.js'), import('../targets/server-health.js')]);
      const cloudName = courseCloudName(course);
      const cloud = await openstackApi.connect(cloudName, course.cloud.region);
      const servers = await openstackApi.listCourseServers(cloud, course.id);
      const probes = openstackApi.healthProbes(cloudName, existingAdminLogin(course));
      const report = await serverHealth(servers, { monitoringEnabled: course.monitoring.enabled }, probes);
      const machines: MachineHealth[] = report.servers.map((s) => {
        const server = servers.find((x) => x.name === s.server);
        const failing = [s.ssh, s.scraped].find((c) => c && !c.ok);
        const state: MachineState = s.status !== 'ACTIVE' ? 'down' : s.ok ? 'ok' : 'sick';
        // A stopped server's checks are not run: its Nova status is what decides.
        const detail = state !== 'down' && failing ? `${failing.check}: ${failing.detail}` : s.status;
        return { name: s.server, ...(server?.learner ? { learner: server.learner } : {}), role: server?.role ?? 'learner', state, detail };
      });
      const cost = course.cloud.prices && openstackApi.spendItems ? courseSpendOf(course, await openstackApi.spendItems(cloud, course), course.cloud.prices) : undefined;
      return { checkedAt: new Date().toISOString(), machines, alerts: await cloudAlerts(course, report.prometheus, probes.guard), time: timeOf(course, cost) };
    } catch (error) {
      return failed(course, error);
    }
  };
}
