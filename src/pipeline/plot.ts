/**
 * The scaling plot, as a Vega-Lite chart (src/charts/svg.ts): measured speedups (each repeat as a
 * small dot, the median as a larger one), the ideal line S = N and the fitted Amdahl curve. The
 * dashboard draws the same chart from a learner's reported experiment.
 * PNG: converted with `rsvg-convert` (Debian `librsvg2-bin`) when it is installed.
 */
import { chartSvg, type ChartSpec } from '../charts/svg.js';
import { findExecutable } from '../local/base-image.js';
import { runCommand } from '../process/run-command.js';
import { amdahlSpeedup, type AmdahlFit, type ScaleRow } from './amdahl.js';

export const SCALING_SERIES = { repeat: 'each repeat', median: 'median of repeats', ideal: 'ideal (S = N)' } as const;

export function fitLabel(fit: AmdahlFit): string {
  return `Amdahl fit, serial fraction ${fit.serialFraction.toFixed(3)}${fit.standardError !== undefined ? ` ± ${fit.standardError.toFixed(3)}` : ''}`;
}

export interface ScalingPlotOptions {
  title: string;
  /** Pixels of the plotting area (default 520 × 320; the dashboard draws smaller ones). */
  width?: number;
  height?: number;
}

export function scalingSpec(rows: readonly ScaleRow[], samples: ReadonlyArray<{ workers: number; speedup: number }>, fit: AmdahlFit | undefined, options: ScalingPlotOptions): ChartSpec {
  const maxN = Math.max(1, ...rows.map((r) => r.workers));
  const series: string[] = [SCALING_SERIES.ideal, ...(fit ? [fitLabel(fit)] : []), SCALING_SERIES.median, SCALING_SERIES.repeat];
  const colours = ['#999999', ...(fit ? ['#d62728'] : []), '#1f77b4', '#1f77b4'];
  const colour = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: series, range: colours }, legend: { orient: 'top-left' as const, labelLimit: 480, symbolType: 'circle' } };
  const x = { field: 'workers', type: 'quantitative' as const, title: 'workers', scale: { domain: [0, maxN] }, axis: { values: rows.map((r) => r.workers), format: 'd' } };
  const y = { field: 'speedup', type: 'quantitative' as const, title: 'speedup', scale: { domainMin: 0 } };
  const curve = fit
    ? Array.from({ length: 101 }, (_, i) => {
        const n = 1 + ((maxN - 1) * i) / 100;
        return { workers: n, speedup: amdahlSpeedup(n, fit.serialFraction), series: fitLabel(fit) };
      })
    : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: options.width ?? 520,
    height: options.height ?? 320,
    background: 'white',
    layer: [
      { data: { values: [1, maxN].map((n) => ({ workers: n, speedup: n, series: SCALING_SERIES.ideal })) }, mark: { type: 'line', strokeDash: [6, 4] }, encoding: { x, y, color: colour } },
      ...(fit ? [{ data: { values: curve }, mark: { type: 'line' as const, strokeWidth: 2 }, encoding: { x, y, color: colour } }] : []),
      { data: { values: samples.map((s) => ({ ...s, series: SCALING_SERIES.repeat })) }, mark: { type: 'circle', size: 20, opacity: 0.5 }, encoding: { x, y, color: colour } },
      { data: { values: rows.map((r) => ({ workers: r.workers, speedup: r.speedup, series: SCALING_SERIES.median })) }, mark: { type: 'circle', size: 90, opacity: 1 }, encoding: { x, y, color: colour } },
    ],
  };
}

export function scalingSvg(rows: readonly ScaleRow[], samples: ReadonlyArray<{ workers: number; speedup: number }>, fit: AmdahlFit | undefined, options: ScalingPlotOptions): Promise<string> {
  return chartSvg(scalingSpec(rows, samples, fit, options));
}

/** SVG file → PNG beside it; the reason when it cannot (rsvg-convert missing or failing). */
export async function svgToPng(svgFile: string, pngFile: string): Promise<true | string> {
  const rsvg = findExecutable('rsvg-convert');
  if (!rsvg) return 'rsvg-convert is not installed (Debian package librsvg2-bin)';
  const result = await runCommand(rsvg, ['-o', pngFile, svgFile], { timeoutMs: 30_000, check: false });
  if (result.code !== 0) return `rsvg-convert failed: ${result.tail.join(' ') || `exit ${result.code}`}`;
  return true;
}
