/**
 * The pipeline's pure parts: the Amdahl fit and the scaling table,
 * the metric payloads and the plot. No Docker.
 */
import { describe, expect, it } from 'vitest';
import { amdahlSpeedup, cheapestMeetingDeadline, fitAmdahl, median, scaleTable, speedupSamples } from '../src/pipeline/amdahl.js';
import { gnocchiBatch, groupPath, METRIC, stageExposition } from '../src/pipeline/metrics.js';
import { fitLabel, SCALING_SERIES, scalingSpec, scalingSvg } from '../src/pipeline/plot.js';
import { workerHourPrice } from '../src/pipeline/scale.js';
import { workerCpusets } from '../src/pipeline/infra.js';

/** Deterministic pseudo-random numbers (LCG) so the noisy fit is reproducible. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('Amdahl fit and scaling table', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });

  it('recovers the serial fraction of exact Amdahl data with zero standard error', () => {
    const samples = [1, 2, 4, 8].map((n) => ({ workers: n, speedup: amdahlSpeedup(n, 0.2) }));
    const fit = fitAmdahl(samples);
    expect(fit.serialFraction).toBeCloseTo(0.2, 10);
    expect(fit.standardError).toBeCloseTo(0, 10);
    expect(fit.maxSpeedup).toBeCloseTo(5, 8);
  });

  it('recovers it from noisy repeats within a few standard errors, and the error shrinks with less noise', () => {
    const noisy = (noise: number) => {
      const rand = lcg(7);
      const points = [1, 2, 4, 8].map((n) => ({
        workers: n,
        seconds: [0, 1, 2, 3, 4].map(() => 100 * (0.3 + 0.7 / n) * (1 + noise * (rand() - 0.5))),
      }));
      return fitAmdahl(speedupSamples(points));
    };
    const loud = noisy(0.2);
    const quiet = noisy(0.02);
    expect(Math.abs(loud.serialFraction - 0.3)).toBeLessThan(4 * loud.standardError! + 0.02);
    expect(Math.abs(quiet.serialFraction - 0.3)).toBeLessThan(0.02);
    expect(quiet.standardError!).toBeLessThan(loud.standardError!);
  });

  it('clamps an impossible (superlinear) estimate to 0 but keeps the raw value', () => {
    const fit = fitAmdahl([
      { workers: 1, speedup: 1 },
      { workers: 2, speedup: 2.2 },
    ]);
    expect(fit.raw).toBeLessThan(0);
    expect(fit.serialFraction).toBe(0);
    expect(fit.maxSpeedup).toBe(Infinity);
  });

  it('refuses to fit one worker count only', () => {
    expect(() => fitAmdahl([{ workers: 1, speedup: 1 }])).toThrow(/more than one worker/);
  });

  it('table: median wall time, speedup against 1 worker, efficiency, cost per run', () => {
    const rows = scaleTable(
      [
        { workers: 2, seconds: [60, 50, 55] },
        { workers: 1, seconds: [100, 90, 110] },
      ],
      0.36,
    );
    expect(rows.map((r) => r.workers)).toEqual([1, 2]);
    expect(rows[0]).toMatchObject({ medianSeconds: 100, speedup: 1, efficiency: 1 });
    expect(rows[1]!.medianSeconds).toBe(55);
    expect(rows[1]!.speedup).toBeCloseTo(100 / 55, 10);
    expect(rows[1]!.efficiency).toBeCloseTo(100 / 55 / 2, 10);
    // 2 workers × 0.36/h × 55 s.
    expect(rows[1]!.cost).toBeCloseTo((2 * 0.36 * 55) / 3600, 12);
    expect(scaleTable([{ workers: 1, seconds: [10] }])[0]!.cost).toBeUndefined();
  });

  it('per-worker price from the worker flavor and unit prices', () => {
    const cloud = { prices: { currency: 'EUR', vcpuHour: 0.02, ramGbHour: 0.005, volumeGbHour: 0, floatingIpHour: 0 }, flavors: { worker: { name: 'l', vcpus: 4, ramMb: 8192 } } };
    expect(workerHourPrice({ cloud } as never)).toBeCloseTo(4 * 0.02 + 8 * 0.005, 12);
    expect(workerHourPrice({ cloud: { ...cloud, prices: undefined } } as never)).toBeUndefined();
  });

  it('cheapest worker count meeting a deadline', () => {
    // T1 = 100 s, s = 0.2: T(2) = 60, T(4) = 40, T(8) = 30; never below 20.
    expect(cheapestMeetingDeadline(100, 0.2, 60)!.workers).toBe(2);
    expect(cheapestMeetingDeadline(100, 0.2, 60)!.seconds).toBeCloseTo(60, 9);
    expect(cheapestMeetingDeadline(100, 0.2, 41)!.workers).toBe(4);
    expect(cheapestMeetingDeadline(100, 0.2, 20)).toBeUndefined();
    expect(cheapestMeetingDeadline(100, 0.2, 100)!.workers).toBe(1);
  });
});

describe('worker placement on the host cores', () => {
  it('gives each worker a core of its own while there are cores to give', () => {
    expect(workerCpusets(1, 2)).toEqual(['0']);
    expect(workerCpusets(2, 2)).toEqual(['0', '1']);
    expect(workerCpusets(3, 4)).toEqual(['0', '1', '2']);
  });

  it('past the core count lets every worker use every core, rather than doubling up on some', () => {
    expect(workerCpusets(3, 2)).toEqual(['0-1', '0-1', '0-1']);
    expect(workerCpusets(8, 4)).toEqual(Array(8).fill('0-3'));
  });

  it('leaves workers alone where the daemon cannot pin', () => {
    expect(workerCpusets(2, undefined)).toEqual([undefined, undefined]);
  });
});

describe('metric payloads', () => {
  it('Pushgateway group path carries run, worker and stage as labels', () => {
    expect(groupPath({ run: 'run-1', worker: 'worker2', stage: 'align' })).toBe('/metrics/job/resops_pipeline/run/run-1/worker/worker2/stage/align');
    expect(groupPath({ run: 'a/b' })).toBe('/metrics/job/resops_pipeline/run/a%2Fb');
  });

  it('stage exposition has duration, reads, bytes and exit status', () => {
    const text = stageExposition({ stage: 'call', worker: 'worker1', seconds: 1.5, reads: 10, bytes: 2048, exitStatus: 0 });
    expect(text).toContain(`${METRIC.duration} 1.5\n`);
    expect(text).toContain(`${METRIC.reads} 10\n`);
    expect(text).toContain(`${METRIC.bytes} 2048\n`);
    expect(text).toContain(`${METRIC.exitStatus} 0\n`);
  });

  it('one Gnocchi batch body holds every shard measure of the run under one resource', () => {
    const shards = [0, 1, 2].map((shard) => ({ shard, worker: 'worker1', seconds: shard + 0.5, reads: 100, bytes: 1000, attempts: 1, timestamp: '2026-01-01T00:00:00Z' }));
    const body = gnocchiBatch('res-1', shards);
    expect(Object.keys(body)).toEqual(['res-1']);
    const metrics = body['res-1']!;
    expect(Object.keys(metrics)).toHaveLength(12);
    expect(metrics['shard002.duration_seconds']!.measures).toEqual([{ timestamp: '2026-01-01T00:00:00Z', value: 2.5 }]);
  });
});

describe('scaling plot', () => {
  it('one dot per repeat, one per median, the ideal line and the fitted curve, drawn as SVG with its title and legend', async () => {
    const points = [
      { workers: 1, seconds: [100, 102] },
      { workers: 2, seconds: [60, 62] },
    ];
    const samples = speedupSamples(points);
    const fit = fitAmdahl(samples);
    const spec = scalingSpec(scaleTable(points), samples, fit, { title: 'test <plot>' });
    const layers = (spec as { layer: Array<{ data: { values: Array<{ workers: number; speedup: number; series: string }> } }> }).layer;
    const bySeries = (name: string) => layers.flatMap((l) => l.data.values).filter((v) => v.series === name);
    expect(bySeries(SCALING_SERIES.repeat)).toHaveLength(4);
    expect(bySeries(SCALING_SERIES.median).map((v) => v.workers)).toEqual([1, 2]);
    expect(bySeries(SCALING_SERIES.ideal).map((v) => [v.workers, v.speedup])).toEqual([[1, 1], [2, 2]]);
    const curve = bySeries(fitLabel(fit));
    expect(curve.at(-1)!.speedup).toBeCloseTo(1 / (fit.serialFraction + (1 - fit.serialFraction) / 2), 9);
    const svg = await scalingSvg(scaleTable(points), samples, fit, { title: 'test <plot>' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('test &lt;plot&gt;');
    expect(svg).toMatch(/serial fraction 0\.\d{3} ± /);
    expect(svg).toContain('stroke-dasharray'); // the ideal line
  });
});
