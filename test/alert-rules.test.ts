/**
 * The alert rules in monitoring/rules (both targets load them): promtool checks them and runs the
 * unit tests in monitoring/tests, and every alert the HA talk needs exists, is complete, and is
 * unit-tested both firing and not firing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateTool, runTool } from '../src/local/toolbox.js';

const root = join(import.meta.dirname, '..');
const rulesDir = join(root, 'monitoring', 'rules');
const testsDir = join(root, 'monitoring', 'tests');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.yml')).sort();
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.test.yml')).sort();
const alerts: Rule[] = ruleFiles.flatMap((file) =>
  (parse(readFileSync(join(rulesDir, file), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules).filter((r) => r.alert),
);

describe('alert rules (monitoring/rules)', () => {
  it('cover dead and sick-but-alive machines and a stalled pipeline', () => {
    const names = alerts.map((a) => a.alert);
    for (const name of ['InstanceDown', 'DiskNearlyFull', 'LoadFarAboveCores', 'MemoryPressure', 'PipelineWorkerStalled']) expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('each have for:, a severity label, a summary and a description', () => {
    for (const alert of alerts) {
      expect(alert.for, `${alert.alert}: for`).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning', 'info'], `${alert.alert}: severity`).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary?.length, `${alert.alert}: summary`).toBeGreaterThan(10);
      expect(alert.annotations?.description?.length, `${alert.alert}: description`).toBeGreaterThan(20);
    }
  });

  it('judge load against the core count over 10 minutes, and pipeline progress by its Pushgateway timestamp', () => {
    const load = alerts.find((a) => a.alert === 'LoadFarAboveCores')!;
    expect(load.for).toBe('10m');
    const records = ruleFiles.flatMap((file) => (parse(readFileSync(join(rulesDir, file), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules));
    const perCpu = records.find((r) => r.record === load.expr.split(/\s/)[0])!;
    expect(perCpu.expr).toMatch(/node_load5/);
    expect(records.find((r) => perCpu.expr.includes(r.record ?? '\0'))?.expr).toMatch(/count.*node_cpu_seconds_total/);
    expect(alerts.find((a) => a.alert === 'PipelineWorkerStalled')!.expr).toMatch(/time\(\) - resops_pipeline_last_progress_timestamp_seconds/);
  });

  it('each have promtool unit tests where they fire and where they do not', () => {
    interface AlertTest { alertname: string; exp_alerts?: unknown[] }
    const cases = testFiles.flatMap((file) =>
      (parse(readFileSync(join(testsDir, file), 'utf8')) as { tests: Array<{ alert_rule_test?: AlertTest[] }> }).tests.flatMap((t) => t.alert_rule_test ?? []),
    );
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert.alert);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${alert.alert} fires in a test`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${alert.alert} stays quiet in a test`).toBe(true);
    }
  });
});

const promtool = await locateTool('promtool');

describe.skipIf(promtool.where === 'none')(`promtool on the rules${promtool.where === 'none' ? ` (skipped: ${promtool.reason})` : ` (${promtool.where})`}`, () => {
  const promtoolRun = (args: string[]) => runTool('promtool', args, { cwd: root, mounts: [root] });

  beforeAll(async () => {
    // In the toolbox this builds the image once; later calls start in a second.
    await promtoolRun(['--version']);
  }, 900_000);

  it('promtool check rules accepts every rule file', async () => {
    const run = await promtoolRun(['check', 'rules', ...ruleFiles.map((f) => join(rulesDir, f))]);
    expect(run.stdout + run.stderr).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
  });

  it('promtool test rules passes every unit test', async () => {
    const run = await promtoolRun(['test', 'rules', ...testFiles.map((f) => join(testsDir, f))]);
    expect(run.stdout + run.stderr, run.stdout + run.stderr).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    expect((run.stdout + run.stderr).match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });
});
