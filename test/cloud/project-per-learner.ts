/**
 * `accounts.mode: project-per-learner` on the rehearsal cloud, with the real provider: each learner
 * a project of their own with quotas for exactly their lab; the course network and shared groups
 * shared to it by Neutron RBAC from the network stack; each learner's stack applied with that
 * learner's own credential; and a learner who can neither see, delete nor use a classmate's server.
 * Included by test/openstack-cloud.test.ts, which starts the cloud.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountFile } from '../../src/accounts/learner-accounts.js';
import { learnerQuotas } from '../../src/accounts/learner-projects.js';
import { LOCAL_CLOUD } from '../../src/cloud/clouds-yaml.js';
import { loadCourse } from '../../src/course/load.js';
import { findCloudConfig } from '../../src/openstack/cloud-config.js';
import { OpenStackClient } from '../../src/openstack/client.js';
import type { Port } from '../../src/openstack/network.js';
import { OpenStackApiError } from '../../src/openstack/errors.js';
import { findLeftovers } from '../../src/openstack/leftovers.js';
import { hostHealthProbes } from '../../src/targets/course-cloud.js';
import { courseYaml } from '../helpers/course-yaml.js';
import { providerMirror } from '../helpers/provider-mirror.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import type { CloudContext } from './terraform-course.js';

const ID = 'ppl';

/** Every file under `dir`, recursively. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    // Terraform's provider cache holds the provider binary, not anything of the course.
    if (entry.isDirectory()) return entry.name === '.terraform' ? [] : listFiles(full);
    return entry.isFile() ? [full] : [];
  });
}
/** The host's address on the cloud's `public` network, as the cloud sees the SSH probe come. */
const HOST_ON_PUBLIC = '172.24.4.1/32';
const mirror = await providerMirror();
const skip = 'skip' in mirror ? mirror.skip : undefined;

export function describeProjectPerLearner(ctx: CloudContext): void {
  describe.skipIf(skip !== undefined)(`project-per-learner: a project per learner, applied with the learner's own credential${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let dir = '';
    let courseFile = '';
    let outDir = '';
    const saved: Record<string, string | undefined> = {};
    /** Everything the CLI printed in this describe: no secret may be in it. */
    const outputs: string[] = [];
    /** `resops <words…> <course file> <flags…>`. */
    const cli = (words: string[], ...flags: string[]): Promise<CliResult> => runCli([...words, courseFile, ...flags]);
    const asLearner = (learner: string) => {
      const file = accountFile(loadCourse(courseFile), { id: learner });
      const config = findCloudConfig(`resops-${ID}`, { env: { OS_CLIENT_CONFIG_FILE: file }, cwd: dir, home: dir });
      if (!config) throw new Error(`${file} has no entry resops-${ID}`);
      return OpenStackClient.connect(config);
    };
    const status = async (call: Promise<unknown>): Promise<number | 'ok'> => {
      try {
        await call;
        return 'ok';
      } catch (error) {
        if (error instanceof OpenStackApiError) return error.status;
        throw error;
      }
    };

    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'resops-ppl-'));
      courseFile = path.join(dir, 'course.yaml');
      outDir = path.join(dir, 'cdktf.out');
      const end = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const text = courseYaml({ id: ID, learners: 2, target: 'openstack', monitoring: false, workers: 0, vms: 1, volumeGb: 1, cidr: '10.77.0.0/16', sshAllowedCidrs: [HOST_ON_PUBLIC] }).replace(/end: '?2026-12-05'?/, `end: ${end}`);
      writeFileSync(courseFile, `${text}accounts:\n  mode: project-per-learner\n`);
      for (const key of ['OS_CLOUD', 'RESOPS_PROVIDER_MIRROR']) saved[key] = process.env[key];
      process.env.OS_CLOUD = LOCAL_CLOUD;
      if (!('skip' in mirror)) process.env.RESOPS_PROVIDER_MIRROR = mirror.dir;
    });

    afterAll(async () => {
      if (courseFile) {
        await cli(['down'], '--target', 'openstack', '--out', outDir, '--sweep');
        await cli(['accounts', 'delete']);
      }
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 600_000);

    it('up before the accounts exist stops before anything runs, saying to make them', async () => {
      const run = await cli(['up'], '--target', 'openstack', '--out', outDir, '--force');
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('accounts.mode project-per-learner runs ppl-learner-learner1 with learner learner1\'s own credential');
      expect(run.stderr).toContain('resops accounts create');
      expect(await findLeftovers(ctx.admin(), ID)).toEqual([]);
    }, 120_000);

    it('an instructor who is only a member of their project is told that projects need the admin role, and nothing is made', async () => {
      await ctx.projectClient('pplmember');
      process.env.OS_CLOUD = `${LOCAL_CLOUD}-pplmember`;
      const run = await cli(['accounts', 'create']).finally(() => (process.env.OS_CLOUD = LOCAL_CLOUD));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('accounts.mode project-per-learner makes a project per learner, which needs Keystone\'s admin role');
      expect(run.stderr).toMatch(/your credential has the roles [^;]*member/);
      expect(await ctx.admin().identity.findProject(`resops-${ID}-learner1`)).toBeUndefined();
      expect(await ctx.admin().identity.findUser(`resops-${ID}-learner1`)).toBeUndefined();
    }, 180_000);

    it('accounts create: a project per learner with quotas for their lab and their exercise\'s server; each learner is a member of their own project only', async () => {
      const run = await cli(['accounts', 'create'], '--json');
      expect(run.code, run.stderr).toBe(0);
      outputs.push(run.stdout, run.stderr);
      const course = loadCourse(courseFile);
      for (const learner of course.learners) {
        const client = await asLearner(learner.id);
        const project = await ctx.admin().identity.findProject(`resops-${ID}-${learner.id}`);
        expect(project?.id).toBeDefined();
        expect(client.projectId).toBe(project!.id);
        expect(client.projectId).not.toBe(ctx.admin().projectId);
        expect(client.session.roles).not.toContain('admin');
        const wanted = learnerQuotas(course, learner);
        const compute = await ctx.admin().compute.quotaDetail(project!.id);
        expect([compute.instances?.limit, compute.cores?.limit, compute.ram?.limit]).toEqual([wanted.compute.instances, wanted.compute.cores, wanted.compute.ram]);
        const network = await ctx.admin().network.quotaDetail(project!.id);
        expect([network.floatingip?.limit, network.port?.limit, network.network?.limit, network.router?.limit]).toEqual([wanted.network.floatingip, wanted.network.port, 0, 0]);
        expect((await ctx.admin().volume.quotaDetail(project!.id)).gigabytes?.limit).toBe(wanted.volume.gigabytes);
      }
    }, 180_000);

    it('up: the network stack shares the network to the learners\' projects; each learner\'s server is in their own project, made with their credential', async () => {
      const run = await cli(['up'], '--target', 'openstack', '--out', outDir, '--json');
      expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
      outputs.push(run.stdout, run.stderr);
      expect(run.stderr).toContain('learners\' stacks run with each learner\'s own credential');
      for (const learner of ['learner1', 'learner2']) {
        const client = await asLearner(learner);
        const mine = await client.compute.listServers();
        expect(mine.map((s) => s.name)).toEqual([`${ID}-${learner}-vm1`]);
      }
      // Nothing of the learners' labs is in the instructor's project; `status` finds them in theirs.
      expect((await ctx.admin().compute.listServers()).filter((s) => s.name.startsWith(`${ID}-`))).toEqual([]);
      const shown = await cli(['status'], '--target', 'openstack', '--out', outDir, '--json');
      const servers = JSON.stringify((JSON.parse(shown.stdout) as { sections: Array<{ data: unknown }> }).sections[1]!.data);
      for (const learner of ['learner1', 'learner2']) expect(servers).toContain(`${ID}-${learner}-vm1`);
      if (ctx.servers !== 'containers') return;
      // The learner's floating IP (their project) reaches their server through the course's router
      // (the instructor's): SSH answers on it, once the route leads into the cloud (bounded).
      const alice = await asLearner('learner1');
      const server = (await alice.compute.listServers())[0]!;
      const address = (await alice.network.listFloatingIps()).find((f) => f.description === server.name)?.floating_ip_address;
      expect(address, 'learner1\'s floating IP').toBeDefined();
      const probes = hostHealthProbes(LOCAL_CLOUD);
      await probes.guard(address!);
      let answer = await probes.ssh(address!);
      for (let attempt = 0; !answer.ok && attempt < 60; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        answer = await probes.ssh(address!);
      }
      expect(answer, JSON.stringify(answer)).toMatchObject({ ok: true });
    }, 900_000);

    it('no learner\'s secret is in any output, in the synthesized stacks, or in a state file but their own clouds.yaml', () => {
      const course = loadCourse(courseFile);
      const own = course.learners.map((l) => accountFile(course, l));
      const secrets = own.map((file) => /application_credential_secret: (\S+)/.exec(readFileSync(file, 'utf8'))![1]!);
      const everything = [...outputs, ...[...listFiles(path.join(dir, '.resops')), ...listFiles(outDir)].filter((f) => !own.includes(f)).map((f) => readFileSync(f, 'latin1'))].join('\n');
      for (const secret of secrets) expect(everything.includes(secret)).toBe(false);
    }, 900_000);

    it('attack: learner1 cannot see, stop, delete or attach to learner2\'s server, nor use learner2\'s volume; her quota stops a server beyond her room', async () => {
      const alice = await asLearner('learner1');
      const bob = await asLearner('learner2');
      const bobServer = (await bob.compute.listServers())[0]!;
      const bobVolume = (await bob.volume.listVolumes())[0]!;
      const aliceServer = (await alice.compute.listServers())[0]!;
      expect(await alice.compute.getServer(bobServer.id)).toBeUndefined();
      expect(await status(alice.compute.serverAction(bobServer.id, 'os-stop'))).toBe(404);
      // Nova answers 404: for her, there is no such server (deleteServer says false).
      expect(await alice.compute.deleteServer(bobServer.id)).toBe(false);
      expect([400, 404]).toContain(await status(alice.compute.attachVolume(aliceServer.id, bobVolume.id)));
      expect((await bob.compute.getServer(bobServer.id))?.status).toBe('ACTIVE');
      // On the network they share, each sees their own ports only.
      const network = (await alice.network.listNetworks({}, true)).find((n) => n.name === `${ID}-net`)!;
      // Asked without a project filter: what Neutron itself lets her see.
      const alicePorts = await alice.session.list<Port>('network', '/ports', 'ports', { network_id: network.id });
      expect(alicePorts.length).toBeGreaterThan(0);
      expect(alicePorts.every((p) => p.device_id === aliceServer.id)).toBe(true);
      // Her project has room for her lab and her exercise's server (a learner flavor's cores): a bigger one is refused.
      const image = (await alice.image.listImages()).find((i) => i.name === 'debian-12')!;
      const flavor = (await alice.compute.listFlavors()).find((f) => f.name === 'm1.medium')!;
      const extra = await status(alice.compute.createServer({ name: `${ID}-learner1-extra`, flavorId: flavor.id, imageId: image.id, networks: [{ uuid: network.id }] }));
      expect(extra).toBe(403);
    }, 180_000);

    it('accounts delete while the labs are up refuses, naming what the project still holds, and deletes nothing', async () => {
      const run = await cli(['accounts', 'delete']);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`learner learner1's project resops-${ID}-learner1 still holds server ${ID}-learner1-vm1`);
      expect(run.stderr).toContain('--learner learner1');
      for (const learner of ['learner1', 'learner2']) {
        expect(await ctx.admin().identity.findProject(`resops-${ID}-${learner}`)).toBeDefined();
        expect(await ctx.admin().identity.findUser(`resops-${ID}-${learner}`)).toBeDefined();
        expect((await (await asLearner(learner)).compute.listServers()).map((s) => s.status)).toEqual(['ACTIVE']);
      }
    }, 180_000);

    it('down: every learner\'s lab is destroyed with their credential, then their accounts and projects; the leak check is clean', async () => {
      const run = await cli(['down'], '--target', 'openstack', '--out', outDir, '--json');
      expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
      const report = JSON.parse(run.stdout) as { leakCheck: { clean: boolean }; learnerAccounts?: { deleted: string } };
      expect(report.leakCheck.clean).toBe(true);
      expect(report.learnerAccounts?.deleted).toContain('resops-ppl-learner1');
      for (const learner of ['learner1', 'learner2']) expect(await ctx.admin().identity.findProject(`resops-${ID}-${learner}`)).toBeUndefined();
      expect(await findLeftovers(ctx.admin(), ID)).toEqual([]);
      expect(readFileSync(courseFile, 'utf8')).toContain('project-per-learner');
    }, 900_000);
  });
}
