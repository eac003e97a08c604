import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(join(tmpdir(), 'resops-cli-synth-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function resops(args: string[], env: Record<string, string | undefined> = {}) {
  const merged = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  return spawnSync(process.execPath, ['bin/resops.mjs', ...args], { encoding: 'utf8', env: merged, timeout: 60_000 });
}

function providerCloud(out: string): unknown {
  const json = JSON.parse(readFileSync(join(out, 'stacks/resops-demo-network/cdk.tf.json'), 'utf8')) as { provider: { openstack: Array<{ cloud: string }> } };
  return json.provider.openstack[0].cloud;
}

describe('resops synth', () => {
  it('writes the cdktf layout for the sample course, provider configured by the course\'s cloud name', () => {
    const out = join(scratch, 'plain');
    const run = resops(['synth', 'examples/course.yaml', '--out', out], { OS_CLOUD: undefined });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    expect(run.stdout).toContain('6 stacks written');
    expect(providerCloud(out)).toBe('openstack');
  });

  it('OS_CLOUD points the synthesized provider at another cloud, and says so', () => {
    const out = join(scratch, 'rehearsal');
    const run = resops(['synth', 'examples/course.yaml', '--out', out], { OS_CLOUD: 'resops-local' });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('cloud: resops-local (from OS_CLOUD; the course file says openstack)');
    expect(providerCloud(out)).toBe('resops-local');
  });

  it('an invalid course writes nothing and exits 2', () => {
    const out = join(scratch, 'invalid');
    const run = resops(['synth', 'test/fixtures/cli/bad-course.yaml', '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/bad-course\.yaml:\d+:\d+ /);
    expect(existsSync(out)).toBe(false);
  });
});
