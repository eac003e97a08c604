/**
 * The openstack target at class sizes: `up` and `down` of a course with N learners (one VM and a
 * volume each, monitoring, two workers) through Terraform with the real provider against the
 * rehearsal cloud, with 4 stacks at once and with 1; seconds per learner from a straight line
 * through the sizes. Part of `npm run bench:cloud`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCourse } from '../src/course/load.js';
import type { OpenStackClient } from '../src/openstack/client.js';
import { createOpenstackDriver } from '../src/targets/openstack-driver.js';
import { providerMirror } from '../test/helpers/provider-mirror.js';
import { benchCourseYaml, fitLine } from './synth.js';

export interface ApplySample {
  learners: number;
  stacks: number;
  parallel: number;
  applySeconds: number;
  destroySeconds: number;
}

export interface ApplyResult {
  samples: ApplySample[];
  /** Least-squares slope of apply (and destroy) seconds over learners, at 4 stacks at once. */
  applySecondsPerLearner: number;
  destroySecondsPerLearner: number;
}

/** Unlimited quotas for the admin project: the bench measures Terraform and the APIs, not the gate. */
export async function liftQuotas(admin: OpenStackClient): Promise<void> {
  const project = admin.projectId;
  await admin.compute.updateQuota(project, { instances: -1, cores: -1, ram: -1, key_pairs: -1 });
  await admin.volume.updateQuota(project, { volumes: -1, gigabytes: -1 });
  await admin.network.updateQuota(project, { network: -1, subnet: -1, port: -1, router: -1, floatingip: -1, security_group: -1, security_group_rule: -1 });
}

export async function benchApply(admin: OpenStackClient, sizes: number[], log: (line: string) => void): Promise<ApplyResult> {
  const mirror = await providerMirror();
  if ('skip' in mirror) throw new Error(`no provider: ${mirror.skip}`);
  process.env.RESOPS_PROVIDER_MIRROR = mirror.dir;
  await liftQuotas(admin);
  // Kept to show what went wrong when a run fails; not printed otherwise.
  let lines: string[] = [];
  const driver = createOpenstackDriver({ out: (line) => lines.push(line), progress: (line) => lines.push(line), steps: (line) => lines.push(line) });
  const samples: ApplySample[] = [];
  for (const learners of sizes) {
    for (const parallel of [4, 1]) {
      const dir = mkdtempSync(join(tmpdir(), 'resops-bench-apply-'));
      try {
        mkdirSync(join(dir, 'out'));
        const file = join(dir, 'course.yaml');
        // The rehearsal cloud's admin entry, as `OS_CLOUD=resops-local resops up` would name it.
        writeFileSync(file, benchCourseYaml(learners, { vms: 1 }).replace('name: bench', 'name: resops-local'));
        const course = loadCourse(file, { target: 'openstack' });
        const options = { json: true, outDir: join(dir, 'out'), concurrency: parallel };
        const time = async (what: string, run: () => Promise<number>) => {
          lines = [];
          const started = performance.now();
          const code = await run();
          const seconds = (performance.now() - started) / 1000;
          if (code !== 0) throw new Error(`${what} of ${learners} learners (${parallel} at once) exited ${code}:\n${lines.slice(-60).join('\n')}`);
          return seconds;
        };
        const applySeconds = await time('up', () => driver.up(course, options));
        const destroySeconds = await time('down', () => driver.down(course, options));
        const stacks = learners + 3;
        samples.push({ learners, stacks, parallel, applySeconds, destroySeconds });
        log(`  ${learners} learner(s), ${stacks} stacks, ${parallel} at once: apply ${applySeconds.toFixed(1)} s, destroy ${destroySeconds.toFixed(1)} s`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const parallel4 = samples.filter((s) => s.parallel === 4);
  return {
    samples,
    applySecondsPerLearner: fitLine(parallel4.map((s) => s.learners), parallel4.map((s) => s.applySeconds)).slope,
    destroySecondsPerLearner: fitLine(parallel4.map((s) => s.learners), parallel4.map((s) => s.destroySeconds)).slope,
  };
}

export function renderApply(result: ApplyResult): string[] {
  const lines = ['learners  stacks   apply 4 at once   apply 1 at once   ratio   destroy 4   destroy 1   ratio'];
  const sizes = [...new Set(result.samples.map((s) => s.learners))];
  for (const learners of sizes) {
    const four = result.samples.find((s) => s.learners === learners && s.parallel === 4)!;
    const one = result.samples.find((s) => s.learners === learners && s.parallel === 1)!;
    lines.push(
      [
        String(learners).padStart(8),
        String(four.stacks).padStart(7),
        `${four.applySeconds.toFixed(1)} s`.padStart(17),
        `${one.applySeconds.toFixed(1)} s`.padStart(17),
        `${(one.applySeconds / four.applySeconds).toFixed(2)}x`.padStart(7),
        `${four.destroySeconds.toFixed(1)} s`.padStart(11),
        `${one.destroySeconds.toFixed(1)} s`.padStart(11),
        `${(one.destroySeconds / four.destroySeconds).toFixed(2)}x`.padStart(7),
      ].join(' '),
    );
  }
  lines.push(`each extra learner: +${result.applySecondsPerLearner.toFixed(1)} s to apply, +${result.destroySecondsPerLearner.toFixed(1)} s to destroy (4 stacks at once, least-squares slope)`);
  return lines;
}

