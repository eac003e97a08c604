/**
 * The latest start-up measured for each worker image of a course, kept in
 * `<state dir>/pipeline/startup.json`: a run measures only its own image (baked-in reference for
 * `volume`, fetched for `object`), and its report states both, each with the run that measured it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ImageStartup {
  /** Create-to-running of the newest worker container made from it, when a run created one. */
  containerStartSeconds?: number;
  /** The `ready` stage: the reference resolved (instant when baked in; fetch + `bwa index` otherwise). */
  readySeconds: number;
  run: string;
  measuredAt: string;
}

export type StartupRecord = Record<string, ImageStartup>;

export function readStartupRecord(file: string): StartupRecord {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as StartupRecord) : {};
  } catch {
    // A damaged record only loses the other image's last measurement; this run rewrites it.
    return {};
  }
}

/** Records this run's measurement of `image` (keeping the last container start when none was made now). */
export function recordStartup(file: string, image: string, measured: { containerStartSeconds: number[]; readySeconds: number; run: string }): StartupRecord {
  const record = readStartupRecord(file);
  const previous = record[image];
  const created = measured.containerStartSeconds.length ? Math.max(...measured.containerStartSeconds) : previous?.containerStartSeconds;
  record[image] = { ...(created !== undefined ? { containerStartSeconds: created } : {}), readySeconds: measured.readySeconds, run: measured.run, measuredAt: new Date().toISOString() };
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temp, file);
  return record;
}
