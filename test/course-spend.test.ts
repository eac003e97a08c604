import { describe, expect, it } from 'vitest';
import { courseSpend, renderSpend, sinceMs } from '../src/course/spend.js';
import type { UnitPrices } from '../src/course/model.js';

const prices: UnitPrices = { currency: 'EUR', vcpuHour: 0.01, ramGbHour: 0.005, volumeGbHour: 0.0002, floatingIpHour: 0.004 };
const now = new Date('2026-12-04T12:00:00Z');

describe('cost so far from what the cloud runs', () => {
  it('charges each resource for the hours since the cloud made it, at the course\'s unit prices', () => {
    const spend = courseSpend(
      [
        { kind: 'server', name: 'demo-alice-vm1', since: '2026-12-04T02:00:00Z', vcpus: 2, ramMb: 4096 },
        // Cinder writes UTC without a zone.
        { kind: 'volume', name: 'demo-alice-vm1-data', since: '2026-12-04T07:00:00.000000', sizeGb: 10 },
        { kind: 'floating-ip', name: 'demo-alice-vm1', since: '2026-12-04T11:30:00Z' },
      ],
      prices,
      { now, until: new Date('2026-12-06T00:00:00Z'), budget: 10 },
    );
    // 10 h × (2 × 0.01 + 4 × 0.005) + 5 h × 10 × 0.0002 + 0.5 h × 0.004
    expect(spend.spent).toBeCloseTo(0.4 + 0.01 + 0.002, 10);
    expect(spend.perHour).toBeCloseTo(0.04 + 0.002 + 0.004, 10);
    // 36 more hours at that rate.
    expect(spend.projected).toBeCloseTo(spend.spent + 36 * spend.perHour, 10);
    expect(spend.items.map((i) => i.name)).toEqual(['demo-alice-vm1', 'demo-alice-vm1-data', 'demo-alice-vm1']);
    expect(spend.overWarning).toBe(false);
    expect(sinceMs('2026-12-04T07:00:00.000000')).toBe(Date.parse('2026-12-04T07:00:00Z'));
  });

  it('warns from 80 % of the budget on, not before, and names the share', () => {
    const server = (hours: number) => [{ kind: 'server' as const, name: 'vm', since: new Date(now.getTime() - hours * 3_600_000).toISOString(), vcpus: 1, ramMb: 1024 }];
    // 0.015 per hour against a budget of 1.5: 80 % after 80 h.
    expect(courseSpend(server(79), prices, { now, budget: 1.5 }).overWarning).toBe(false);
    const over = courseSpend(server(82), prices, { now, budget: 1.5 });
    expect(over.overWarning).toBe(true);
    expect(renderSpend(over)[0]).toBe('⚠ the cost so far, 1.23 EUR, is 82 % of the budget of 1.50 EUR (warning from 80 %)');
    expect(courseSpend(server(1000), prices, { now }).overWarning).toBe(false);
  });

  it('a server whose size nobody knows is named, not silently counted as free', () => {
    const spend = courseSpend([{ kind: 'server', name: 'mystery', since: '2026-12-04T00:00:00Z' }], prices, { now });
    expect(spend.unsized).toEqual(['mystery']);
    expect(spend.spent).toBe(0);
    expect(renderSpend(spend).at(-1)).toContain('mystery');
  });
});
