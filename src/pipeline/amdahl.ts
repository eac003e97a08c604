/**
 * The scaling experiment's arithmetic, pure: medians, speedup, efficiency, cost per run, and a fit
 * of Amdahl's law. Amdahl: T(N) = T1·(s + (1 − s)/N), so 1/S(N) = T(N)/T1 = s + (1 − s)·(1/N) is a
 * straight line in x = 1/N with intercept s and slope 1 − s. Fitting it with the one-parameter
 * least squares of y − x = s·(1 − x) gives the serial fraction s and its standard error.
 */

export function median(values: readonly number[]): number {
  if (!values.length) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface ScalePoint {
  workers: number;
  /** Wall times of the repeats, seconds. */
  seconds: number[];
}

export interface ScaleRow {
  workers: number;
  medianSeconds: number;
  speedup: number;
  efficiency: number;
  /** Cost of one run: workers × per-worker hourly price × hours; undefined without prices. */
  cost?: number;
}

/** Speedup relative to the smallest worker count measured (normally 1). */
export function scaleTable(points: readonly ScalePoint[], workerHourPrice?: number): ScaleRow[] {
  if (!points.length) return [];
  const sorted = [...points].sort((a, b) => a.workers - b.workers);
  const base = sorted[0]!;
  const baseTime = median(base.seconds) * base.workers; // T1 estimate when the base is N0 > 1: assume ideal below it
  return sorted.map((p) => {
    const medianSeconds = median(p.seconds);
    const speedup = baseTime / medianSeconds;
    return {
      workers: p.workers,
      medianSeconds,
      speedup,
      efficiency: speedup / p.workers,
      ...(workerHourPrice !== undefined ? { cost: (p.workers * workerHourPrice * medianSeconds) / 3600 } : {}),
    };
  });
}

export interface AmdahlFit {
  /** Serial fraction s in [0, 1] (clamped; `raw` keeps the unclamped estimate). */
  serialFraction: number;
  raw: number;
  /** Standard error of s; undefined with fewer than 2 points. */
  standardError?: number;
  /** The speedup limit 1/s (Infinity when s = 0). */
  maxSpeedup: number;
  points: number;
}

/** Least squares of (1/S − 1/N) = s·(1 − 1/N) over every repeat (not just medians). */
export function fitAmdahl(samples: ReadonlyArray<{ workers: number; speedup: number }>): AmdahlFit {
  const usable = samples.filter((p) => p.workers >= 1 && p.speedup > 0 && Number.isFinite(p.speedup));
  let sxx = 0;
  let sxy = 0;
  for (const p of usable) {
    const x = 1 - 1 / p.workers;
    const y = 1 / p.speedup - 1 / p.workers;
    sxx += x * x;
    sxy += x * y;
  }
  if (sxx === 0) throw new Error('Amdahl fit needs at least one measurement with more than one worker');
  const s = sxy / sxx;
  let residual = 0;
  for (const p of usable) {
    const x = 1 - 1 / p.workers;
    const y = 1 / p.speedup - 1 / p.workers;
    residual += (y - s * x) ** 2;
  }
  const dof = usable.length - 1;
  const clamped = Math.min(1, Math.max(0, s));
  return {
    serialFraction: clamped,
    raw: s,
    ...(dof > 0 ? { standardError: Math.sqrt(residual / dof / sxx) } : {}),
    maxSpeedup: clamped === 0 ? Infinity : 1 / clamped,
    points: usable.length,
  };
}

/** The fit, or undefined when there is nothing to fit (no measurement with more than one worker). */
export function fitAmdahlIfAny(samples: ReadonlyArray<{ workers: number; speedup: number }>): AmdahlFit | undefined {
  try {
    return fitAmdahl(samples);
  } catch {
    return undefined;
  }
}

/** Amdahl's predicted speedup for N workers and serial fraction s. */
export function amdahlSpeedup(workers: number, serialFraction: number): number {
  return 1 / (serialFraction + (1 - serialFraction) / workers);
}

/** Per-sample speedups (each repeat against the base's median) for the fit. */
export function speedupSamples(points: readonly ScalePoint[]): Array<{ workers: number; speedup: number }> {
  const sorted = [...points].sort((a, b) => a.workers - b.workers);
  const base = sorted[0];
  if (!base) return [];
  const baseTime = median(base.seconds) * base.workers;
  return sorted.flatMap((p) => p.seconds.map((t) => ({ workers: p.workers, speedup: baseTime / t })));
}

/**
 * The cheapest worker count whose predicted time meets the deadline (cost ∝ N·T(N), which grows
 * with N whenever s > 0), or undefined when no count up to `maxWorkers` does.
 */
export function cheapestMeetingDeadline(t1Seconds: number, serialFraction: number, deadlineSeconds: number, maxWorkers = 64): { workers: number; seconds: number } | undefined {
  for (let n = 1; n <= maxWorkers; n++) {
    const seconds = t1Seconds / amdahlSpeedup(n, serialFraction);
    // A hair of tolerance: 100·(0.2 + 0.8/2) is 60.00000000000001 in floating point.
    if (seconds <= deadlineSeconds * (1 + 1e-9)) return { workers: n, seconds };
  }
  return undefined;
}
