/**
 * The curriculum's pipeline, monitoring and failures exercises (03–07) on the openstack target,
 * against the rehearsal cloud with the real provider: a course with a learner VM, the monitoring
 * host and two worker VMs, `pipeline.storage: both`, brought up and configured by the instructor;
 * then the learner walks each exercise as on the local target (fails fresh with its message,
 * rejects its wrong attempts word for word, passes after its solution), with their own account
 * (`resops accounts create`) as their handout sheet says. The pipeline runs on Slurm on the worker
 * VMs; Prometheus, Gnocchi and the alerts are the monitoring host's; a worker is stopped through
 * Nova mid-run; the learner's VM is deleted and redeployed from code.
 * Registered from test/openstack-cloud.test.ts, which owns the cloud.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCloudName, createAccounts, dropCourseAccounts } from '../../src/accounts/learner-accounts.js';
import { LOCAL_CLOUD } from '../../src/cloud/clouds-yaml.js';
import { loadCourse } from '../../src/course/load.js';
import type { Course } from '../../src/course/model.js';
import { ExerciseEngine } from '../../src/exercises/engine.js';
import { listCourseServers } from '../../src/openstack/servers.js';
import type { OpenStackClient } from '../../src/openstack/client.js';
import { courseYaml } from '../helpers/course-yaml.js';
import { newWalkRecord, walkExercise } from '../helpers/exercise-walk.js';
import { providerMirror } from '../helpers/provider-mirror.js';
import { runCli } from '../helpers/run-cli.js';

const ID = 'cur';
/** The host's address on the cloud's `public` network: learners' SSH and browsers come from there. */
const HOST_ON_PUBLIC = '172.24.4.1/32';
export const CURRICULUM_ON_CLOUD = ['03-containers', '04-porting', '05-scaling', '06-monitoring', '07-failures'];

const mirror = await providerMirror();
const skip = 'skip' in mirror ? mirror.skip : undefined;

export function describeCurriculumOnCloud(ctx: { admin: () => OpenStackClient }): void {
  describe.skipIf(skip !== undefined)(`exercises 03–07 on the openstack target: the pipeline on worker VMs, the monitoring host, failures through Nova, walked on the rehearsal cloud${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let dir = '';
    let course: Course;
    let key = '';
    const record = newWalkRecord();
    const saved: Record<string, string | undefined> = {};
    const timings: Record<string, number> = {};
    const engine = () => new ExerciseEngine({ course, learner: course.learners[0]!, sshKey: key, log: (line) => record.log.push(line) });
    const expectOk = (what: string, run: { code: number; stdout: string; stderr: string }) => {
      if (run.code !== 0) throw new Error(`${what}: exit ${run.code}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-5000)}`);
    };

    beforeAll(async () => {
      await ctx.admin().network.updateQuota(ctx.admin().projectId, { security_group: 30, security_group_rule: 300 });
      dir = mkdtempSync(path.join(os.tmpdir(), 'resops-curriculum-cloud-'));
      key = path.join(dir, 'learner1');
      const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `learner1@${ID}`, '-f', key]);
      if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr.toString()}`);
      const file = path.join(dir, 'course.yaml');
      const text = courseYaml({
        id: ID, target: 'openstack', learners: 1, sshAllowedCidrs: ['192.0.2.0/24', HOST_ON_PUBLIC], dashboardAllowedCidrs: [HOST_ON_PUBLIC],
        sshPublicKeys: [readFileSync(`${key}.pub`, 'utf8').trim()], volumeGb: 1, monitoring: true, workers: 2, storage: 'both', prices: true,
      });
      const end = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      writeFileSync(file, `${text.replace(/end: '?2026-12-05'?/, `end: ${end}`)}state_dir: state\n`);
      for (const name of ['OS_CLOUD', 'OS_CLIENT_CONFIG_FILE', 'RESOPS_PROVIDER_MIRROR', 'RESOPS_MONITORING_HOST']) saved[name] = process.env[name];
      process.env.OS_CLOUD = LOCAL_CLOUD;
      delete process.env.OS_CLIENT_CONFIG_FILE;
      if (!('skip' in mirror)) process.env.RESOPS_PROVIDER_MIRROR = mirror.dir;
      course = loadCourse(file);
      // The instructor's part: the whole course up and configured, before the class.
      for (const verb of ['up', 'configure']) {
        const started = Date.now();
        expectOk(verb, await runCli([verb, file, '--target', 'openstack']));
        timings[verb] = (Date.now() - started) / 1000;
      }
      const monitoring = (await listCourseServers(ctx.admin(), ID)).find((s) => s.name === `${ID}-monitoring`)!;
      process.env.RESOPS_MONITORING_HOST = monitoring.floatingAddresses[0]!;
      // The learner's own account, used as their sheet says: OS_CLIENT_CONFIG_FILE + OS_CLOUD.
      const [account] = await createAccounts(course, { client: ctx.admin(), dir: path.join(dir, 'handouts') });
      process.env.OS_CLIENT_CONFIG_FILE = account!.file;
      process.env.OS_CLOUD = accountCloudName(course);
    }, 1_800_000);

    afterAll(async () => {
      console.log(`[curriculum] ${JSON.stringify(timings)}`);
      process.env.OS_CLOUD = LOCAL_CLOUD;
      delete process.env.OS_CLIENT_CONFIG_FILE;
      if (course) await runCli(['down', course.file, '--target', 'openstack', '--sweep']);
      if (course) await dropCourseAccounts(course, ctx.admin());
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 900_000);

    for (const exercise of CURRICULUM_ON_CLOUD) {
      it(`${exercise}: each step fails fresh with its message, rejects its wrong attempts word for word, and passes after its solution`, async () => {
        const started = Date.now();
        await walkExercise(engine, exercise, record);
        timings[exercise] = (Date.now() - started) / 1000;
      }, 2_400_000);
    }

    it('the runs were the cloud\'s: on the worker VMs, both storages with the same VCF, a worker lost through Nova and back, the learner\'s VM redeployed with a new server', async () => {
      const runs = engine().lab(engine().exercises.find((x) => x.id === '07-failures')!, engine().exercises.find((x) => x.id === '07-failures')!.steps[0]!).pipelineRuns(new Date(0));
      expect(new Set(runs.map((r) => r.storage))).toEqual(new Set(['volume', 'object']));
      expect(runs.filter((r) => r.startup.image !== 'cloud VMs (configured by Ansible)').map((r) => r.run)).toEqual([]);
      // The same seed and size give the same calls, whatever the storage and the worker count.
      const bySize = new Map<string, Set<string>>();
      for (const run of runs) {
        const size = `${run.reads}/${run.seed}`;
        const vcf = createHash('sha256').update(readFileSync(path.join(path.dirname(run.reportFile), 'calls.vcf'))).digest('hex');
        bySize.set(size, (bySize.get(size) ?? new Set()).add(vcf));
      }
      expect([...bySize].filter(([, vcfs]) => vcfs.size > 1)).toEqual([]);
      expect(runs.some((r) => r.lostWorkers.length > 0)).toBe(true);
      // Every worker runs again after the lost one: the cluster is whole for the class.
      const servers = await listCourseServers(ctx.admin(), ID);
      expect(servers.filter((s) => s.name.startsWith(`${ID}-worker`)).map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE']);
      expect(record.outcomes.map((o) => o.step)).toContain('07-failures/redeploy');
    });
  });
}
