import { courseEndInstant } from './expiry.js';
import type { Course, UnitPrices } from './model.js';

/**
 * What a course has cost so far, from what is actually in the cloud: each server, volume and
 * floating IP of the course, for the hours since the cloud made it, times the course's unit prices.
 * Resources already deleted are not counted (the cloud no longer lists them), so this is a floor;
 * stopped servers are counted, as most clouds keep charging for what they reserve.
 */

/** `status` warns once the cost so far passes this share of `budget.amount`. */
export const BUDGET_WARN_FRACTION = 0.8;

export interface SpendItem {
  kind: 'server' | 'volume' | 'floating-ip';
  name: string;
  /** When the cloud made it (ISO; a time without zone is UTC, as Cinder writes them). */
  since: string;
  vcpus?: number;
  ramMb?: number;
  sizeGb?: number;
}

export interface Spend {
  currency: string;
  /** Cost so far, in `currency`. */
  spent: number;
  /** What the course costs per hour as it stands now. */
  perHour: number;
  /** `spent` plus `perHour` until the end of `course.end`; absent without an end. */
  projected?: number;
  budget?: number;
  /** `spent / budget`. */
  usedFraction?: number;
  /** The cost so far passed 80 % of the budget. */
  overWarning: boolean;
  items: Array<{ kind: SpendItem['kind']; name: string; hours: number; perHour: number; cost: number }>;
  /** Servers whose size the cloud did not say (and the course's flavors do not know): not counted. */
  unsized: string[];
}

export function sinceMs(since: string): number {
  return Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(since) ? since : `${since}Z`);
}

function itemPerHour(item: SpendItem, prices: UnitPrices): number | undefined {
  if (item.kind === 'floating-ip') return prices.floatingIpHour;
  if (item.kind === 'volume') return (item.sizeGb ?? 0) * prices.volumeGbHour;
  if (item.vcpus === undefined || item.ramMb === undefined) return undefined;
  return item.vcpus * prices.vcpuHour + (item.ramMb / 1024) * prices.ramGbHour;
}

export function courseSpend(items: readonly SpendItem[], prices: UnitPrices, options: { now?: Date; until?: Date; budget?: number } = {}): Spend {
  const now = (options.now ?? new Date()).getTime();
  const rows: Spend['items'] = [];
  const unsized: string[] = [];
  for (const item of items) {
    const perHour = itemPerHour(item, prices);
    if (perHour === undefined) {
      unsized.push(item.name);
      continue;
    }
    const started = sinceMs(item.since);
    const hours = Number.isNaN(started) ? 0 : Math.max(0, (now - started) / 3_600_000);
    rows.push({ kind: item.kind, name: item.name, hours, perHour, cost: hours * perHour });
  }
  const spent = rows.reduce((sum, r) => sum + r.cost, 0);
  const perHour = rows.reduce((sum, r) => sum + r.perHour, 0);
  const left = options.until ? Math.max(0, (options.until.getTime() - now) / 3_600_000) : undefined;
  const budget = options.budget;
  return {
    currency: prices.currency,
    spent,
    perHour,
    ...(left !== undefined ? { projected: spent + perHour * left } : {}),
    ...(budget !== undefined ? { budget, usedFraction: budget > 0 ? spent / budget : spent > 0 ? Infinity : 0 } : {}),
    overWarning: budget !== undefined && spent >= BUDGET_WARN_FRACTION * budget && (budget > 0 || spent > 0),
    items: rows.sort((a, b) => b.cost - a.cost || a.name.localeCompare(b.name)),
    unsized,
  };
}

/** The course's spend: projected to the end of `course.end`, against its budget when it has one. */
export function courseSpendOf(course: Pick<Course, 'end' | 'budget'>, items: readonly SpendItem[], prices: UnitPrices, now?: Date): Spend {
  const until = courseEndInstant(course);
  return courseSpend(items, prices, { ...(now ? { now } : {}), ...(until ? { until } : {}), ...(course.budget ? { budget: course.budget.amount } : {}) });
}

const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;

/** Lines for `status`; a warning line first when the budget is nearly used. */
export function renderSpend(spend: Spend): string[] {
  const lines: string[] = [];
  const { currency } = spend;
  if (spend.overWarning && spend.budget !== undefined) {
    lines.push(`⚠ the cost so far, ${money(spend.spent, currency)}, is ${Math.round((spend.usedFraction ?? 0) * 100)} % of the budget of ${money(spend.budget, currency)} (warning from ${Math.round(BUDGET_WARN_FRACTION * 100)} %)`);
  }
  lines.push(`so far ${money(spend.spent, currency)} for ${spend.items.length} running resource(s), now ${money(spend.perHour, currency)} per hour`);
  if (spend.projected !== undefined) lines.push(`at this rate ${money(spend.projected, currency)} by the end of course.end${spend.budget !== undefined ? ` (budget ${money(spend.budget, currency)}${spend.projected > spend.budget ? ': over it' : ''})` : ''}`);
  else if (spend.budget !== undefined) lines.push(`budget ${money(spend.budget, currency)}`);
  for (const item of spend.items.slice(0, 5)) lines.push(`  ${item.kind} ${item.name}: ${item.hours.toFixed(1)} h × ${money(item.perHour, currency)} = ${money(item.cost, currency)}`);
  if (spend.items.length > 5) lines.push(`  … and ${spend.items.length - 5} more (--json lists them all)`);
  if (spend.unsized.length) lines.push(`not counted (the cloud did not say their flavor's size): ${spend.unsized.join(', ')}`);
  return lines;
}
