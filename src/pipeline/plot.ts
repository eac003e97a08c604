/**
 * The scaling plot as a small hand-written SVG (no plotting dependency): measured speedups (each
 * repeat as a dot, the median as a larger dot), the ideal line S = N and the fitted Amdahl curve.
 * PNG: converted with `rsvg-convert` (Debian `librsvg2-bin`) when it is installed.
 */
import { findExecutable } from '../local/base-image.js';
import { runCommand } from '../process/run-command.js';
import { amdahlSpeedup, type AmdahlFit, type ScaleRow } from './amdahl.js';

const W = 640;
const H = 420;
const M = { left: 60, right: 20, top: 40, bottom: 50 };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function scalingSvg(rows: readonly ScaleRow[], samples: ReadonlyArray<{ workers: number; speedup: number }>, fit: AmdahlFit | undefined, title: string): string {
  const maxN = Math.max(1, ...rows.map((r) => r.workers));
  const maxS = Math.max(maxN, ...samples.map((s) => s.speedup)) * 1.05;
  const x = (n: number) => M.left + ((n - 0) / maxN) * (W - M.left - M.right);
  const y = (s: number) => H - M.bottom - (s / maxS) * (H - M.top - M.bottom);
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`);
  // Axes and ticks.
  parts.push(`<line x1="${x(0)}" y1="${y(0)}" x2="${x(maxN)}" y2="${y(0)}" stroke="black"/>`);
  parts.push(`<line x1="${x(0)}" y1="${y(0)}" x2="${x(0)}" y2="${y(maxS)}" stroke="black"/>`);
  for (const r of rows) {
    parts.push(`<line x1="${x(r.workers)}" y1="${y(0)}" x2="${x(r.workers)}" y2="${y(0) + 5}" stroke="black"/>`);
    parts.push(`<text x="${x(r.workers)}" y="${y(0) + 18}" font-size="12" text-anchor="middle">${r.workers}</text>`);
  }
  const step = maxS > 10 ? 2 : 1;
  for (let s = 0; s <= maxS; s += step) {
    parts.push(`<line x1="${x(0) - 5}" y1="${y(s)}" x2="${x(0)}" y2="${y(s)}" stroke="black"/>`);
    parts.push(`<text x="${x(0) - 8}" y="${y(s) + 4}" font-size="12" text-anchor="end">${s}</text>`);
  }
  parts.push(`<text x="${(x(0) + x(maxN)) / 2}" y="${H - 12}" font-size="13" text-anchor="middle">workers</text>`);
  parts.push(`<text x="16" y="${(y(0) + y(maxS)) / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 16 ${(y(0) + y(maxS)) / 2})">speedup</text>`);
  parts.push(`<text x="${W / 2}" y="22" font-size="14" text-anchor="middle">${esc(title)}</text>`);
  // Ideal S = N.
  parts.push(`<line x1="${x(1)}" y1="${y(1)}" x2="${x(maxN)}" y2="${y(maxN)}" stroke="#999" stroke-dasharray="6 4"/>`);
  // Fitted Amdahl curve.
  if (fit) {
    const points: string[] = [];
    for (let i = 0; i <= 100; i++) {
      const n = 1 + ((maxN - 1) * i) / 100;
      points.push(`${x(n).toFixed(1)},${y(amdahlSpeedup(n, fit.serialFraction)).toFixed(1)}`);
    }
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="#d62728" stroke-width="2"/>`);
  }
  for (const s of samples) parts.push(`<circle cx="${x(s.workers).toFixed(1)}" cy="${y(s.speedup).toFixed(1)}" r="2.5" fill="#1f77b4" fill-opacity="0.5"/>`);
  for (const r of rows) parts.push(`<circle cx="${x(r.workers).toFixed(1)}" cy="${y(r.speedup).toFixed(1)}" r="5" fill="#1f77b4"/>`);
  // Legend.
  const lx = M.left + 15;
  const ly = M.top + 10;
  parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 25}" y2="${ly}" stroke="#999" stroke-dasharray="6 4"/><text x="${lx + 32}" y="${ly + 4}" font-size="12">ideal (S = N)</text>`);
  if (fit) {
    const se = fit.standardError !== undefined ? ` ± ${fit.standardError.toFixed(3)}` : '';
    parts.push(`<line x1="${lx}" y1="${ly + 18}" x2="${lx + 25}" y2="${ly + 18}" stroke="#d62728" stroke-width="2"/><text x="${lx + 32}" y="${ly + 22}" font-size="12">Amdahl fit, serial fraction ${fit.serialFraction.toFixed(3)}${se}</text>`);
  }
  parts.push(`<circle cx="${lx + 12}" cy="${ly + 36}" r="5" fill="#1f77b4"/><text x="${lx + 32}" y="${ly + 40}" font-size="12">median of repeats (dots: each repeat)</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}

/** SVG file → PNG beside it; the reason when it cannot (rsvg-convert missing or failing). */
export async function svgToPng(svgFile: string, pngFile: string): Promise<true | string> {
  const rsvg = findExecutable('rsvg-convert');
  if (!rsvg) return 'rsvg-convert is not installed (Debian package librsvg2-bin)';
  const result = await runCommand(rsvg, ['-o', pngFile, svgFile], { timeoutMs: 30_000, check: false });
  if (result.code !== 0) return `rsvg-convert failed: ${result.tail.join(' ') || `exit ${result.code}`}`;
  return true;
}
