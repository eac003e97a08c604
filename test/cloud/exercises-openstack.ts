/**
 * The curriculum's infrastructure exercises on the openstack target, against the rehearsal cloud
 * with the real provider: 00-setup (the first `up --learner` of a fresh course makes its network
 * too), 01-iac (the learner's own stack: key pair, port, server, floating IP, applied with
 * Terraform, logged in to, destroyed and re-created with a new ID) and 02-ansible (playbooks on
 * the learner's VM; nginx on the server their stack made, its port opened in place), then
 * 08-teardown (their own stack and their lab destroyed, nothing of theirs left). Each step
 * is walked as on the local target: fails fresh with its message, rejects its wrong attempts word
 * for word, passes after its solution. The learner works with their own account (`resops
 * accounts create`: a member of the course's project, an application credential), exported as
 * their handout sheet says, as from their own laptop; the instructor's credential is not in reach.
 * Registered from test/openstack-cloud.test.ts, which owns the cloud.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCloudName, createAccounts, dropCourseAccounts } from '../../src/accounts/learner-accounts.js';
import { LOCAL_CLOUD } from '../../src/cloud/clouds-yaml.js';
import { findCloudConfig } from '../../src/openstack/cloud-config.js';
import { loadCourse } from '../../src/course/load.js';
import type { AccountsMode, Course } from '../../src/course/model.js';
import { ExerciseEngine } from '../../src/exercises/engine.js';
import { runCommand } from '../../src/process/run-command.js';
import { terraformEnvironment } from '../../src/terraform/environment.js';
import { TERRAFORM_ENV } from '../../src/terraform/process.js';
import type { OpenStackClient } from '../../src/openstack/client.js';
import { courseYaml } from '../helpers/course-yaml.js';
import { newWalkRecord, walkExercise } from '../helpers/exercise-walk.js';
import { providerMirror } from '../helpers/provider-mirror.js';
import { runCli } from '../helpers/run-cli.js';

const ID = 'exo';
/** The host's address on the cloud's `public` network: learners' SSH and browsers come from there. */
const HOST_ON_PUBLIC = '172.24.4.1/32';

const mirror = await providerMirror();
const skip = 'skip' in mirror ? mirror.skip : undefined;

/**
 * `mode`: the course's accounts.mode. In `project-per-learner` the learner works in a project of
 * their own; the course network is the instructor's to make, so the instructor applies it first
 * (an `up --learner` then `down --learner`, as instructors do with a rehearsal learner).
 */
export function describeExercisesOnCloud(ctx: { admin: () => OpenStackClient }, mode: AccountsMode = 'shared-project'): void {
  const perLearner = mode === 'project-per-learner';
  describe.skipIf(skip !== undefined)(`${perLearner ? 'exercise 01' : 'exercises 00–02 and 08'} on the openstack target (${mode}), walked on the rehearsal cloud${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let dir = '';
    let course: Course;
    let key = '';
    let learnerUserId = '';
    const record = newWalkRecord();
    const saved: Record<string, string | undefined> = {};
    const engine = () => new ExerciseEngine({ course, learner: course.learners[0]!, sshKey: key, log: (line) => record.log.push(line) });
    const stackDir = () => path.join(dir, 'state', 'exercises', 'learner1', 'workspace', 'iac', 'cdktf.out', 'stacks', 'web');

    beforeAll(async () => {
      await ctx.admin().network.updateQuota(ctx.admin().projectId, { security_group: 30, security_group_rule: 300 });
      dir = mkdtempSync(path.join(os.tmpdir(), 'resops-exercises-cloud-'));
      key = path.join(dir, 'learner1');
      const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `learner1@${ID}`, '-f', key]);
      if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr.toString()}`);
      const file = path.join(dir, 'course.yaml');
      const text = courseYaml({ id: ID, target: 'openstack', learners: 1, sshAllowedCidrs: ['192.0.2.0/24', HOST_ON_PUBLIC], sshPublicKeys: [readFileSync(`${key}.pub`, 'utf8').trim()], volumeGb: 0, monitoring: false, workers: 0, prices: true });
      // The class ends tomorrow, whenever the suite runs: an account for a course already over is refused.
      const end = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      writeFileSync(file, `${text.replace(/end: '?2026-12-05'?/, `end: ${end}`)}state_dir: state\n${perLearner ? 'accounts:\n  mode: project-per-learner\n' : ''}`);
      for (const name of ['OS_CLOUD', 'OS_CLIENT_CONFIG_FILE', 'RESOPS_PROVIDER_MIRROR']) saved[name] = process.env[name];
      process.env.OS_CLOUD = LOCAL_CLOUD;
      if (!('skip' in mirror)) process.env.RESOPS_PROVIDER_MIRROR = mirror.dir;
      course = loadCourse(file);
      expect(course.monitoring.enabled).toBe(false);
      // The learner's own account, used as their sheet says: OS_CLIENT_CONFIG_FILE + OS_CLOUD.
      const [account] = await createAccounts(course, { client: ctx.admin(), dir: path.join(dir, 'handouts') });
      if (perLearner) {
        // The instructor's part: the course network, shared to the learner's project.
        process.env.OS_CLIENT_CONFIG_FILE = account!.file;
        for (const verb of ['up', 'down']) {
          const run = await runCli([verb, file, '--target', 'openstack', '--learner', 'learner1']);
          expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
        }
      }
      process.env.OS_CLIENT_CONFIG_FILE = account!.file;
      process.env.OS_CLOUD = accountCloudName(course);
      const learnerConfig = findCloudConfig(accountCloudName(course));
      expect(learnerConfig?.auth.type).toBe('application_credential');
      learnerUserId = (await ctx.admin().identity.findUser(account!.user))!.id;
    }, 120_000);

    afterAll(async () => {
      // A walk that failed half-way leaves the learner's own stack: destroy it, then the course.
      if (dir && existsSync(path.join(stackDir(), '.terraform'))) {
        // With the course's provider and credentials, as the exercise ran it: its port holds the learner's subnet.
        await runCommand('terraform', ['destroy', '-auto-approve', '-input=false', '-no-color'], { cwd: stackDir(), timeoutMs: 600_000, check: false, env: { ...TERRAFORM_ENV, ...terraformEnvironment(course).env } });
      }
      // The course's shared parts and the account go with the instructor's credential.
      process.env.OS_CLOUD = LOCAL_CLOUD;
      // Project-per-learner: the learner's stack is destroyed with their credential, which the file still holds.
      if (!perLearner) delete process.env.OS_CLIENT_CONFIG_FILE;
      if (course) await runCli(['down', course.file, '--target', 'openstack', '--sweep']);
      delete process.env.OS_CLIENT_CONFIG_FILE;
      if (course) await dropCourseAccounts(course, ctx.admin());
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 900_000);

    // Project-per-learner changes who applies the learner's stack and where its server lives:
    // exercise 01 is where that happens (00, 02 and 08 do the same in either mode).
    for (const exercise of perLearner ? ['01-iac'] : ['00-setup', '01-iac', '02-ansible', '08-teardown']) {
      it(`${exercise}: each step fails fresh with its message, rejects its openstack wrong attempts word for word, and passes after its solution`, async () => {
        await walkExercise(engine, exercise, record);
      }, 1_200_000);
    }

    it('the chain ran on the server the learner wrote, as the learner: a new ID after destroy and apply, the same ID after the port was opened, the page through the floating IP; Nova records the learner\'s own user as its maker', async () => {
      const by = (step: string) => record.outcomes.find((o) => o.step === step)!.solved;
      const applied = /^\S+ \(([0-9a-f-]{36})\) from your state is ACTIVE in the cloud, and answers SSH at (\S+) with your key$/.exec(by('01-iac/apply'));
      const recreated = /a new server, ([0-9a-f-]{36}), created at/.exec(by('01-iac/reproduce'));
      expect(applied && recreated, JSON.stringify(record.outcomes.slice(-6), null, 1)).toBeTruthy();
      expect(recreated![1]).not.toBe(applied![1]);
      if (!perLearner) {
        const page = /^http:\/\/(\S+)\/ serves your page from exo-learner1-web \(([0-9a-f-]{36}), the same server as before\)/.exec(by('02-ansible/web'));
        expect(page?.[2], JSON.stringify(record.outcomes.slice(-6), null, 1)).toBe(recreated![1]);
      }
      // Both servers were made with the learner's account, not the instructor's (Nova keeps deleted servers' rows).
      // Deleted ones and, in project-per-learner mode (no teardown walked), the one still running.
      const list = (query: Record<string, string>) => ctx.admin().session.list<{ id: string; user_id: string; tenant_id?: string }>('compute', '/servers/detail', 'servers', query);
      const made = [...(await list({ deleted: 'true', all_tenants: '1' })), ...(await list({ all_tenants: '1' }))];
      expect([applied![1], recreated![1]].map((id) => made.find((s) => s.id === id)?.user_id)).toEqual([learnerUserId, learnerUserId]);
      // Exercise 00's first `up --learner` made the course network, which was never applied
      // (project-per-learner: the instructor made it before, and the learner's stack alone ran).
      expect(record.log.some((l) => /exo-network was never applied: applying it first/.test(l))).toBe(!perLearner);
      if (perLearner) {
        // The learner's servers were in their own project; the instructor's holds none of them.
        const project = (await ctx.admin().identity.findProject('resops-exo-learner1'))!;
        expect([applied![1], recreated![1]].map((id) => made.find((s) => s.id === id) as { tenant_id?: string } | undefined).map((s) => s?.tenant_id)).toEqual([project.id, project.id]);
      }
      if (perLearner) return;
      // Teardown found nothing of the learner's: their own stack went with their lab.
      expect(by('08-teardown/destroy')).toBe('nothing of your lab (learner learner1) is left on the openstack target; the course\'s shared parts stay for the others');
      expect(record.wrongAttempts.filter((w) => w.startsWith('01-iac/apply: ') || w.startsWith('01-iac/reproduce: ') || w.startsWith('02-ansible/web: ')).length).toBeGreaterThanOrEqual(6);
    });
  });
}
