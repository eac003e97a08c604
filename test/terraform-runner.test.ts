/**
 * The OpenStack provider cannot be downloaded here, so these tests drive the orchestration with a
 * FAKE terraform binary: a shell script that logs every call (stack dir, args, env) to a file next
 * to itself and fails the action in the stack dir named in its `fail` file.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SynthesizedStack, SynthResult } from '../src/synth/synthesize.js';
import { createOpenstackDriver } from '../src/targets/openstack-driver.js';
import { TargetError } from '../src/targets/driver.js';
import { resolveBinary } from '../src/terraform/binary.js';
import { runStacks, type StackAction } from '../src/terraform/runner.js';
import type { Course } from '../src/course/model.js';

const FAKE_TERRAFORM = `#!/bin/sh
here=$(dirname "$0")
stack=$(basename "$PWD")
echo "start $stack $* CHECKPOINT_DISABLE=$CHECKPOINT_DISABLE TF_IN_AUTOMATION=$TF_IN_AUTOMATION" >> "$here/calls.log"
sleep 0.05
if [ "$1" != init ] && [ -f "$here/fail" ] && [ "$stack" = "$(cat "$here/fail")" ]; then
  echo "Error: fake failure in $stack" >&2
  echo "end $stack $*" >> "$here/calls.log"
  exit 1
fi
if [ "$1" = output ]; then
  echo '{"floating_ips":{"sensitive":false,"type":["list","string"],"value":["203.0.113.'"\${#stack}"'"]},"token":{"sensitive":true,"type":"string","value":"s3cret"}}'
  echo "end $stack $*" >> "$here/calls.log"
  exit 0
fi
echo "fake $1 done in $stack"
echo "end $stack $*" >> "$here/calls.log"
`;

interface Call {
  event: 'start' | 'end';
  stack: string;
  command: string;
  line: string;
}

let root: string;
let binary: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'resops-runner-'));
  mkdirSync(join(root, 'bin'));
  binary = join(root, 'bin', 'terraform');
  writeFileSync(binary, FAKE_TERRAFORM);
  chmodSync(binary, 0o755);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A SynthResult by hand, with real (empty) stack dirs. */
function fakeSynth(learners: string[], deps: { monitoring: 'network' | 'learners'; pipeline: boolean }): SynthResult {
  const dir = (name: string) => {
    const d = join(root, 'out', 'stacks', name);
    mkdirSync(d, { recursive: true });
    // What `up` saves beside the state before applying (src/terraform/applied-configs.ts); a
    // backend the toolkit cannot read itself, so every command asks the (fake) terraform.
    writeFileSync(join(d, 'cdk.tf.json'), JSON.stringify({ terraform: { backend: { http: { address: 'http://127.0.0.1:9/state' } } } }));
    return d;
  };
  const learnerStacks: SynthesizedStack[] = learners.map((id) => ({
    name: `c-learner-${id}`,
    kind: 'learner',
    learnerId: id,
    dir: dir(`c-learner-${id}`),
    dependsOn: ['c-network'],
  }));
  const stacks: SynthesizedStack[] = [
    { name: 'c-network', kind: 'network', dir: dir('c-network'), dependsOn: [] },
    ...learnerStacks,
    {
      name: 'c-monitoring',
      kind: 'monitoring',
      dir: dir('c-monitoring'),
      dependsOn: deps.monitoring === 'network' ? ['c-network'] : ['c-network', ...learnerStacks.map((s) => s.name)],
    },
  ];
  if (deps.pipeline) stacks.push({ name: 'c-pipeline', kind: 'pipeline', dir: dir('c-pipeline'), dependsOn: ['c-network', 'c-monitoring'] });
  return { outDir: join(root, 'out'), stacks };
}

function calls(): Call[] {
  return readFileSync(join(root, 'bin', 'calls.log'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [event, stack, command] = line.split(' ');
      return { event: event as Call['event'], stack: stack!, command: command!, line };
    });
}

const first = (log: Call[], stack: string, event: Call['event']) => log.findIndex((c) => c.stack === stack && c.event === event);
const last = (log: Call[], stack: string, event: Call['event']) =>
  log.reduce((found, c, i) => (c.stack === stack && c.event === event ? i : found), -1);

/** Most learner stacks running at once; a stack runs from its init start to its action's end. */
function peakLearners(log: Call[], action: StackAction): number {
  let running = 0;
  let peak = 0;
  for (const c of log) {
    if (!c.stack.startsWith('c-learner-')) continue;
    if (c.event === 'start' && c.command === 'init') running++;
    if (c.event === 'end' && c.command === action) running--;
    peak = Math.max(peak, running);
  }
  return peak;
}

async function run(synth: SynthResult, action: StackAction, concurrency?: number) {
  const lines: string[] = [];
  const report = await runStacks(synth, action, { binary, log: (l) => lines.push(l), ...(concurrency ? { concurrency } : {}) });
  return { report, lines, log: calls() };
}

describe('terraform runner with a fake terraform binary', () => {
  it('runs init then apply in every stack, in dependency order, with automation env', async () => {
    const synth = fakeSynth(['alice', 'bob', 'carol'], { monitoring: 'learners', pipeline: true });
    const { report, lines, log } = await run(synth, 'apply');
    expect(report.ok).toBe(true);
    for (const stack of synth.stacks) {
      const own = log.filter((c) => c.stack === stack.name && c.event === 'start');
      expect(own.map((c) => c.command)).toEqual(['init', 'apply']);
      expect(own[0]!.line).toContain('init -input=false');
      expect(own[1]!.line).toContain('apply -auto-approve -input=false');
      expect(own[1]!.line).toContain('CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1');
    }
    const learners = ['c-learner-alice', 'c-learner-bob', 'c-learner-carol'];
    for (const l of learners) {
      expect(first(log, l, 'start')).toBeGreaterThan(last(log, 'c-network', 'end'));
      expect(first(log, 'c-monitoring', 'start')).toBeGreaterThan(last(log, l, 'end'));
    }
    expect(first(log, 'c-pipeline', 'start')).toBeGreaterThan(last(log, 'c-monitoring', 'end'));
    // Learner stacks run in parallel (the peak depends on scheduling; at least two overlap).
    expect(peakLearners(log, 'apply')).toBeGreaterThanOrEqual(2);
    // Output is streamed with the stack prefix, and each step is timed.
    expect(lines).toContain('[c-learner-bob] fake apply done in c-learner-bob');
    expect(lines).toContain('▶ c-network: apply …');
    expect(lines.some((l) => /^✔ c-network: apply \d+\.\ds$/.test(l))).toBe(true);
  });

  it('a failed learner is reported, other learners still apply, dependents are skipped', async () => {
    writeFileSync(join(root, 'bin', 'fail'), 'c-learner-bob');
    const synth = fakeSynth(['alice', 'bob', 'carol', 'dave'], { monitoring: 'learners', pipeline: true });
    const { report, lines, log } = await run(synth, 'apply');
    expect(report.ok).toBe(false);
    const status = Object.fromEntries(report.outcomes.map((o) => [o.stack, o.status]));
    expect(status).toEqual({
      'c-network': 'ok',
      'c-learner-alice': 'ok',
      'c-learner-bob': 'failed',
      'c-learner-carol': 'ok',
      'c-learner-dave': 'ok',
      'c-monitoring': 'skipped',
      'c-pipeline': 'skipped',
    });
    expect(report.outcomes.find((o) => o.stack === 'c-learner-bob')).toMatchObject({ failedStep: 'apply', exitCode: 1 });
    expect(report.outcomes.find((o) => o.stack === 'c-monitoring')!.reason).toBe('needs c-learner-bob, which failed');
    expect(report.outcomes.find((o) => o.stack === 'c-pipeline')!.reason).toBe('needs c-monitoring, which was skipped');
    for (const l of ['alice', 'carol', 'dave']) expect(log.some((c) => c.stack === `c-learner-${l}` && c.command === 'apply' && c.event === 'end')).toBe(true);
    expect(log.some((c) => c.stack === 'c-monitoring' || c.stack === 'c-pipeline')).toBe(false);
    expect(lines).toContain('[c-learner-bob] Error: fake failure in c-learner-bob');
    expect(lines.some((l) => l.startsWith('✖ c-learner-bob: apply failed (exit 1)'))).toBe(true);
  });

  it('a stack that does not need the failed learner still runs, after all learners', async () => {
    writeFileSync(join(root, 'bin', 'fail'), 'c-learner-alice');
    const synth = fakeSynth(['alice', 'bob'], { monitoring: 'network', pipeline: false });
    const { report, log } = await run(synth, 'apply');
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'failed', 'ok', 'ok']);
    expect(report.ok).toBe(false);
    for (const l of ['c-learner-alice', 'c-learner-bob']) expect(first(log, 'c-monitoring', 'start')).toBeGreaterThan(last(log, l, 'end'));
  });

  it('runs at most `concurrency` learner stacks at once', async () => {
    const synth = fakeSynth(['a', 'b', 'c', 'd', 'e', 'f'], { monitoring: 'network', pipeline: false });
    const { report, log } = await run(synth, 'apply', 2);
    expect(report.ok).toBe(true);
    expect(peakLearners(log, 'apply')).toBe(2);
  });

  it('destroys in exactly the reverse order, and keeps the network when a learner survives', async () => {
    const synth = fakeSynth(['alice', 'bob'], { monitoring: 'learners', pipeline: true });
    const ok = await run(synth, 'destroy');
    expect(ok.report.ok).toBe(true);
    expect(ok.report.outcomes.map((o) => o.stack)).toEqual(['c-pipeline', 'c-monitoring', 'c-learner-bob', 'c-learner-alice', 'c-network']);
    const log = ok.log;
    expect(log.filter((c) => c.event === 'start' && c.command === 'destroy').every((c) => c.line.includes('destroy -auto-approve -input=false'))).toBe(true);
    expect(first(log, 'c-monitoring', 'start')).toBeGreaterThan(last(log, 'c-pipeline', 'end'));
    for (const l of ['c-learner-alice', 'c-learner-bob']) {
      expect(first(log, l, 'start')).toBeGreaterThan(last(log, 'c-monitoring', 'end'));
      expect(first(log, 'c-network', 'start')).toBeGreaterThan(last(log, l, 'end'));
    }

    rmSync(join(root, 'bin', 'calls.log'));
    writeFileSync(join(root, 'bin', 'fail'), 'c-learner-alice');
    const failed = await run(synth, 'destroy');
    const status = Object.fromEntries(failed.report.outcomes.map((o) => [o.stack, o.status]));
    expect(status).toEqual({ 'c-pipeline': 'ok', 'c-monitoring': 'ok', 'c-learner-bob': 'ok', 'c-learner-alice': 'failed', 'c-network': 'skipped' });
    expect(failed.log.some((c) => c.stack === 'c-network')).toBe(false);
  });

  it('after an interrupt, starts nothing new and reports the rest as skipped', async () => {
    const synth = fakeSynth(['alice', 'bob'], { monitoring: 'network', pipeline: false });
    const controller = new AbortController();
    const report = await runStacks(synth, 'apply', {
      binary,
      signal: controller.signal,
      log: (line) => {
        if (line.startsWith('✔ c-network: apply')) controller.abort();
      },
    });
    expect(report.ok).toBe(false);
    expect(report.outcomes.map((o) => [o.stack, o.status, o.reason ?? ''])).toEqual([
      ['c-network', 'ok', ''],
      ['c-learner-alice', 'skipped', 'interrupted'],
      ['c-learner-bob', 'skipped', 'interrupted'],
      ['c-monitoring', 'skipped', 'interrupted'],
    ]);
    expect(calls().every((c) => c.stack === 'c-network')).toBe(true);
  });

  it('the openstack driver synthesizes, runs the fake binary and exits non-zero on a failed stack', async () => {
    writeFileSync(join(root, 'bin', 'fail'), 'c-learner-bob');
    const synth = fakeSynth(['alice', 'bob'], { monitoring: 'learners', pipeline: false });
    const out: string[] = [];
    const progress: string[] = [];
    let synthOutDir = '';
    const driver = createOpenstackDriver({
      synth: (_course, outDir) => {
        synthOutDir = outDir;
        return synth;
      },
      resolve: (name) => resolveBinary(join(root, 'bin', name === 'tofu' ? 'tofu' : 'terraform')),
      out: (l) => out.push(l),
      progress: (l) => progress.push(l),
    });
    // The driver reads the id, the cloud's name and where state lives; stacks come from the fake synth.
    const course = { id: 'c', file: 'course.yaml', dir: root, stateDir: '.resops/c', cloud: { name: 'c-cloud' }, learners: [] as Course['learners'], accounts: { mode: 'shared-project' } } as Course;
    // --force: the quota gate needs a real course and cloud (tested in openstack-cloud.test.ts).
    const code = await driver.up(course, { json: false, outDir: join(root, 'out'), force: true });
    expect(code).toBe(1);
    expect(synthOutDir).toBe(join(root, 'out'));
    const summary = out.join('\n');
    expect(summary).toMatch(/c-learner-bob\s+failed/);
    expect(summary).toMatch(/c-learner-alice\s+ok/);
    expect(summary).toMatch(/c-monitoring\s+skipped\s+needs c-learner-bob, which failed/);
    expect(summary).toContain('apply: 2 ok, 1 failed, 1 skipped');
    // --tofu looks for tofu, which does not exist here: a TargetError that says how to install it.
    await expect(driver.up(course, { json: false, tofu: true })).rejects.toThrow(TargetError);
  });
});

describe('openstack status with a fake terraform binary', () => {
  it('shows each learner stack\'s outputs, hides sensitive ones, reports a stack it cannot read', async () => {
    writeFileSync(join(root, 'bin', 'fail'), 'c-learner-bob');
    const synth = fakeSynth(['alice', 'bob'], { monitoring: 'network', pipeline: false });
    const out: string[] = [];
    const driver = createOpenstackDriver({
      synth: () => synth,
      resolve: () => binary,
      out: (l) => out.push(l),
      progress: () => {},
      // The cloud-side section is covered in openstack-driver-cloud.test.ts: here it finds nothing.
      cloud: { connect: async () => 'c-cloud', listCourseServers: async () => [], findLeftovers: async () => [], sweepLeftovers: async () => ({ deleted: [], failed: [], remaining: [] }), readQuota: async () => { throw new Error('status reads no quota'); }, healthProbes: () => ({ guard: async () => { throw new Error('no server to probe'); }, ssh: async () => { throw new Error('no server to probe'); }, nodeUp: async () => { throw new Error('no server to probe'); } }) },
    });
    const code = await driver.status({ id: 'c', dir: root, stateDir: '.resops/c', cloud: { name: 'c-cloud' }, learners: [] as Course['learners'] } as Course, { json: true });
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n')) as { sections: Array<{ ok: boolean; data: Array<{ learner: string; outputs: Record<string, unknown>; error?: string }> }> };
    const [alice, bob] = report.sections[0]!.data;
    expect(alice!.outputs).toEqual({ floating_ips: [`203.0.113.${'c-learner-alice'.length}`], token: '(sensitive)' });
    expect(bob!.error).toMatch(/fake failure in c-learner-bob/);
    expect(out.join('\n')).not.toContain('s3cret');
    // Never-initialised stack dirs get `init` first; only learner stacks are read.
    const log = calls().filter((c) => c.event === 'start');
    expect(log.filter((c) => c.stack === 'c-learner-alice').map((c) => c.command)).toEqual(['init', 'output']);
    expect(log.some((c) => c.stack === 'c-network' || c.stack === 'c-monitoring')).toBe(false);
  });
});

describe('resolveBinary', () => {
  it('explains how to install a missing terraform or tofu', () => {
    expect(() => resolveBinary('tofu', '/nonexistent')).toThrow(/tofu not found on PATH/);
    const error = (() => {
      try {
        resolveBinary('terraform', '/nonexistent');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).hint).toMatch(/install Terraform/);
    expect(resolveBinary('sh', '/usr/bin:/bin')).toMatch(/\/sh$/);
  });
});
