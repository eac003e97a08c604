/** Human-readable preflight report. */
import { formatTable, type Align } from '../cli/table.js';
import type { Consumption, CostEstimate, CostLine, PartEstimate } from '../course/estimate.js';
import type { PreflightReport } from './preflight.js';

/** Above this many learners, learners with identical consumption share one row. */
const LEARNER_ROWS_MAX = 12;

const COLUMNS: Array<{ header: string; value: (c: Consumption) => string }> = [
  { header: 'instances', value: (c) => String(c.instances) },
  { header: 'vCPUs', value: (c) => String(c.vcpus) },
  { header: 'RAM GB', value: (c) => formatGb(c.ramMb) },
  { header: 'volumes', value: (c) => String(c.volumes) },
  { header: 'volume GB', value: (c) => String(c.volumeGb) },
  { header: 'floating IPs', value: (c) => String(c.floatingIps) },
  { header: 'sec groups', value: (c) => String(c.securityGroups) },
  { header: 'networks', value: (c) => String(c.networks) },
  { header: 'subnets', value: (c) => String(c.subnets) },
  { header: 'routers', value: (c) => String(c.routers) },
  { header: 'ports', value: (c) => String(c.ports) },
  { header: 'router ifs', value: (c) => String(c.routerInterfaces) },
];

export function renderPreflight(report: PreflightReport): string[] {
  const { course } = report;
  const dates = course.start && course.end ? `, ${course.start} – ${course.end}` : '';
  const lines = [
    `${course.file}: course ${course.id} — ${course.learners} learner${course.learners === 1 ? '' : 's'}, target ${course.target}${dates}`,
    '',
    ...consumptionTable(report),
    '',
    ...costLines(report.cost),
    '',
    ...quotaLines(report),
  ];
  return lines;
}

function consumptionTable(report: PreflightReport): string[] {
  const rows: string[][] = [];
  const row = (label: string, c: Consumption) => [label, ...COLUMNS.map((col) => col.value(c))];
  const learnerParts = report.estimate.parts.filter((p) => p.kind === 'learner');
  const network = report.estimate.parts.find((p) => p.kind === 'network');
  if (network) rows.push(row('network', network.consumption));
  if (learnerParts.length <= LEARNER_ROWS_MAX) {
    for (const part of learnerParts) rows.push(row(`learner ${part.learnerId}`, part.consumption));
  } else {
    for (const group of groupIdentical(learnerParts)) {
      const first = group.parts[0]!.learnerId;
      const label = group.parts.length === 1 ? `learner ${first}` : `${group.parts.length} learners like ${first} (each)`;
      rows.push(row(label, group.consumption));
    }
  }
  if (learnerParts.length > 1) rows.push(row('all learners', report.estimate.learners));
  for (const part of report.estimate.parts) {
    if (part.kind === 'monitoring' || part.kind === 'pipeline') rows.push(row(part.kind, part.consumption));
  }
  rows.push(row('total', report.estimate.total));
  const perLearner = JSON.stringify(report.estimate.instructorProject) !== JSON.stringify(report.estimate.total);
  if (perLearner) rows.push(row('your project', report.estimate.instructorProject));
  const align: Align[] = ['left', ...COLUMNS.map((): Align => 'right')];
  const lines = formatTable(['part', ...COLUMNS.map((c) => c.header)], rows, align);
  const total = report.estimate.total;
  if (total.objectContainers > 0) lines.push(`plus ${total.objectContainers} object storage container (pipeline data)`);
  lines.push('ports: one per instance; router ifs: router interfaces, which the port quota counts too');
  if (perLearner) lines.push('project-per-learner: each learner\'s part is in their own project (its quota is set by `accounts create`); the quota checked is your project\'s');
  return lines;
}

function groupIdentical(parts: PartEstimate[]): Array<{ consumption: Consumption; parts: PartEstimate[] }> {
  const groups = new Map<string, { consumption: Consumption; parts: PartEstimate[] }>();
  for (const part of parts) {
    const key = JSON.stringify(part.consumption);
    const group = groups.get(key) ?? { consumption: part.consumption, parts: [] };
    group.parts.push(part);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const COST_ITEMS: Record<CostLine['item'], string> = {
  vcpu: 'vCPU',
  ramGb: 'RAM GB',
  volumeGb: 'volume GB',
  floatingIp: 'floating IP',
};

function costLines(cost: CostEstimate | null): string[] {
  if (!cost) return ['cost: no unit prices in the course file: cost not estimated'];
  const rows = cost.lines.map((l) => [
    COST_ITEMS[l.item],
    formatQuantity(l.quantity),
    `${formatMoney(l.unitPrice)} ${cost.currency}/h`,
    `${formatMoney(l.perHour)} ${cost.currency}/h`,
  ]);
  const lines = [
    'cost (unit prices from the course file)',
    ...formatTable(['item', 'quantity', 'unit price', 'per hour'], rows, ['left', 'right', 'right', 'right']).map((l) => `  ${l}`),
    `  per hour: ${formatMoney(cost.perHour)} ${cost.currency}`,
  ];
  if (cost.hours !== undefined && cost.total !== undefined) {
    lines.push(`  whole course: ${cost.hours} h (${cost.hours / 24} days, start to end date inclusive) × ${formatMoney(cost.perHour)} = ${cost.total.toFixed(2)} ${cost.currency}`);
  } else if (cost.note) {
    lines.push(`  whole course: not estimated (${cost.note})`);
  }
  return lines;
}

function quotaLines(report: PreflightReport): string[] {
  if (!report.quota.checked) {
    // The client's messages may already end in "quota not checked".
    const lines = [`quota not checked: ${report.quota.reason.replace(/:\s*quota not checked\.?$/, '')}`];
    if (report.quota.failed) lines.push(`hint: check the credentials of cloud "${report.course.cloud}" (clouds.yaml or OS_* variables) and that its API is reachable`);
    return lines;
  }
  const { comparison } = report.quota;
  const rows = comparison.rows.map((r) => [
    r.key,
    r.limit < 0 ? 'unlimited' : String(r.limit),
    String(r.inUse),
    String(r.course),
    String(r.need),
    r.exceeded ? 'EXCEEDED' : 'ok',
  ]);
  const lines = [
    `quota of cloud "${comparison.cloud}" (need = in use + course; in use already counts anything of this course that exists)`,
    ...formatTable(['quota', 'limit', 'in use', 'course', 'need', ''], rows, ['left', 'right', 'right', 'right', 'right', 'left']).map((l) => `  ${l}`),
  ];
  if (comparison.exceeded.length === 0) {
    lines.push('quota: enough for the course');
  } else {
    lines.push(`quota would be exceeded (${comparison.exceeded.length}):`);
    for (const message of comparison.exceeded) lines.push(`  ${message}`);
  }
  return lines;
}

function formatGb(mb: number): string {
  const gb = mb / 1024;
  return Number.isInteger(gb) ? String(gb) : gb.toFixed(1);
}

function formatQuantity(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** Enough decimals that small unit prices (0.0005/h) stay visible. */
function formatMoney(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return Number(n.toPrecision(3)).toString();
}
