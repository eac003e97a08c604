/**
 * The provider mirror with the real provider and the real terraform: createMirror's layout, the
 * CLI settings that point terraform at it, and proof that init with it never tries the network.
 * Fake providers (a few bytes named like the real thing) cover the layouts and the checks.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { loadCourseText } from '../src/course/load.js';
import type { Course } from '../src/course/model.js';
import { synthCourse } from '../src/synth/synthesize.js';
import { TargetError } from '../src/targets/driver.js';
import { createMirror, MIRROR_HOSTS, terraformCliSettings, terraformPlatform } from '../src/terraform/mirror.js';
import { courseYaml } from './helpers/course-yaml.js';
import { providerMirror, SHARED_PROVIDER_DIR, SHARED_PROVIDER_XZ } from './helpers/provider-mirror.js';

const scratch = mkdtempSync(join(tmpdir(), 'resops-mirror-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const fresh = (name: string) => join(scratch, `${++counter}-${name}`);

const PLATFORM = terraformPlatform();
const PROVIDER_PATH = 'terraform-provider-openstack/openstack';

/** A few bytes named like a provider release file (`PK…` for a .zip, so it passes the magic check). */
function fakeProvider(name: string, body = '#!/bin/sh\necho fake provider\n'): string {
  const dir = fresh('from');
  mkdirSync(dir);
  const file = join(dir, name);
  writeFileSync(file, name.endsWith('.zip') ? `PK\x03\x04${body}` : body);
  return file;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function course(extraCloud = '', dir = scratch): Course {
  const text = courseYaml({ learners: 1, monitoring: false, workers: 0 }).replace(/^cloud:\n/m, `cloud:\n${extraCloud}`);
  return loadCourseText(text, 'course.yaml', dir);
}

/** The TargetError `work` rejects with (anything else fails the test). */
async function targetError(work: () => unknown): Promise<TargetError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof TargetError) return error;
    throw error;
  }
  throw new Error('expected a TargetError');
}

describe('createMirror with fake providers', () => {
  it('lays an uncompressed binary out unpacked, executable, for both hosts, hard-linked', async () => {
    const from = fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}`);
    const dir = fresh('mirror');
    const lines: string[] = [];
    const info = await createMirror({ from, dir, progress: (line) => lines.push(line) });
    expect(info).toMatchObject({ dir, cliConfig: join(dir, 'terraform.rc'), version: '3.4.0', platform: PLATFORM, layout: 'unpacked', changed: true, sha256: sha256(from) });
    expect(info.files.map((file) => relative(dir, file))).toEqual(
      MIRROR_HOSTS.map((host) => `${host}/${PROVIDER_PATH}/3.4.0/${PLATFORM}/terraform-provider-openstack_v3.4.0`),
    );
    const [a, b] = info.files.map((file) => statSync(file));
    expect(a!.mode & 0o777).toBe(0o755);
    expect(b!.ino).toBe(a!.ino);
    expect(lines.at(-1)).toMatch(/^laid out terraform-provider-openstack\/openstack 3\.4\.0/);
  });

  it('copies a release .zip unchanged into the packed layout, and replaces the unpacked one of that version', async () => {
    const dir = fresh('mirror');
    await createMirror({ from: fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}`), dir });
    const zip = fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}.zip`);
    const info = await createMirror({ from: zip, dir });
    expect(info.layout).toBe('packed');
    expect(info.files.map((file) => relative(dir, file))).toEqual(
      MIRROR_HOSTS.map((host) => `${host}/${PROVIDER_PATH}/terraform-provider-openstack_3.4.0_${PLATFORM}.zip`),
    );
    for (const file of info.files) expect(readFileSync(file)).toEqual(readFileSync(zip));
    for (const host of MIRROR_HOSTS) expect(() => statSync(join(dir, host, PROVIDER_PATH, '3.4.0', PLATFORM))).toThrow();
    // terraformCliSettings recognises the packed layout.
    expect(terraformCliSettings(course(), { RESOPS_PROVIDER_MIRROR: dir }).mirrorDir).toBe(dir);
  });

  it('keeps other versions, replaces a changed file of the same version, and leaves no staging directory', async () => {
    const dir = fresh('mirror');
    await createMirror({ from: fakeProvider(`terraform-provider-openstack_3.3.0_${PLATFORM}`), dir });
    await createMirror({ from: fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}`, 'old build'), dir });
    const rebuilt = fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}`, 'new build');
    const info = await createMirror({ from: rebuilt, dir });
    expect(info.changed).toBe(true);
    for (const file of info.files) expect(readFileSync(file, 'utf8')).toBe('new build');
    for (const host of MIRROR_HOSTS) expect(readdirSync(join(dir, host, PROVIDER_PATH)).sort()).toEqual(['3.3.0', '3.4.0']);
    expect(readdirSync(join(dir, '..')).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('two runs at once into a new directory: one lays it out, the other finds it done', async () => {
    const from = fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}`);
    const dir = fresh('mirror');
    const runs = await Promise.all([createMirror({ from, dir }), createMirror({ from, dir })]);
    expect(runs.map((run) => run.changed).sort()).toEqual([false, true]);
    expect(readdirSync(join(dir, '..')).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a badly named file, naming it, and writes nothing', async () => {
    const dir = fresh('mirror');
    for (const name of ['openstack.xz', 'terraform-provider-openstack_3.4_linux_amd64.xz', 'terraform-provider-openstack_3.4.0_linux_amd64.tar.gz']) {
      const from = fakeProvider(name);
      const error = await targetError(() => createMirror({ from, dir }));
      expect(error.message).toContain(from);
      expect(error.message).toContain('expected terraform-provider-openstack_<version>_<os>_<arch>');
      expect(error.exitCode).toBe(2);
    }
    expect(() => statSync(dir)).toThrow();
    const notZip = join(fresh('from'), `terraform-provider-openstack_3.4.0_${PLATFORM}.zip`);
    mkdirSync(join(notZip, '..'));
    writeFileSync(notZip, 'not a zip');
    expect((await targetError(() => createMirror({ from: notZip, dir }))).message).toBe(`${notZip}: not a zip file`);
    const notXz = fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}.xz`, 'not xz data');
    const xzError = await targetError(() => createMirror({ from: notXz, dir }));
    expect(xzError.message).toMatch(new RegExp(`^xz -dc ${notXz.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed: .*format`));
    expect(xzError.exitCode).toBe(1);
    expect(() => statSync(dir)).toThrow();
    const missing = join(scratch, `terraform-provider-openstack_3.4.0_${PLATFORM}`);
    expect((await targetError(() => createMirror({ from: missing, dir }))).message).toBe(`${missing}: no such file`);
  });
});

describe('terraformCliSettings', () => {
  const mirrorA = fresh('mirror-a');
  const mirrorB = fresh('mirror-b');
  const binary = () => fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}`);

  it('takes cloud.provider_mirror (relative to the course file) over RESOPS_PROVIDER_MIRROR over TF_CLI_CONFIG_FILE', async () => {
    await createMirror({ from: binary(), dir: mirrorA });
    await createMirror({ from: binary(), dir: mirrorB });
    const rc = join(mirrorB, 'terraform.rc');
    const withField = course(`  provider_mirror: ${relative(scratch, mirrorA)}\n`);
    expect(terraformCliSettings(withField, { RESOPS_PROVIDER_MIRROR: mirrorB, TF_CLI_CONFIG_FILE: rc })).toEqual({
      env: { TF_CLI_CONFIG_FILE: join(mirrorA, 'terraform.rc') },
      description: `provider mirror: ${mirrorA} (from cloud.provider_mirror in course.yaml)`,
      mirrorDir: mirrorA,
    });
    expect(terraformCliSettings(course(), { RESOPS_PROVIDER_MIRROR: mirrorB, TF_CLI_CONFIG_FILE: '/elsewhere.rc' })).toEqual({
      env: { TF_CLI_CONFIG_FILE: rc },
      description: `provider mirror: ${mirrorB} (from RESOPS_PROVIDER_MIRROR)`,
      mirrorDir: mirrorB,
    });
    expect(terraformCliSettings(course(), { TF_CLI_CONFIG_FILE: rc })).toEqual({ env: {}, description: `terraform CLI config: ${rc} (from TF_CLI_CONFIG_FILE)` });
  });

  it('ignores a TF_CLI_CONFIG_FILE that does not exist, and configures nothing without any of them', () => {
    expect(terraformCliSettings(course(), { TF_CLI_CONFIG_FILE: join(scratch, 'no-such.terraformrc') })).toEqual({ env: {} });
    expect(terraformCliSettings(course(), {})).toEqual({ env: {} });
  });

  it('refuses a mirror without a ~> 3.0 provider for this platform, naming the directory, what it has and the fix', async () => {
    const old = fresh('mirror-old');
    await createMirror({ from: fakeProvider('terraform-provider-openstack_2.1.0_linux_arm64'), dir: old });
    const error = await targetError(() => terraformCliSettings(course(), { RESOPS_PROVIDER_MIRROR: old }));
    expect(error.message).toBe(`provider mirror ${old} (from RESOPS_PROVIDER_MIRROR) has no terraform-provider-openstack/openstack ~> 3.0 for ${PLATFORM} (it has: 2.1.0 linux_arm64)`);
    expect(error.hint).toContain(`resops provider mirror --from FILE --dir ${old}`);

    const missing = fresh('mirror-missing');
    const fromField = await targetError(() => terraformCliSettings(course(`  provider_mirror: ${missing}\n`), {}));
    expect(fromField.message).toBe(`provider mirror ${missing} (from cloud.provider_mirror in course.yaml) does not exist`);

    const moved = fresh('mirror-moved');
    const original = fresh('mirror-original');
    await createMirror({ from: binary(), dir: original });
    renameSync(original, moved);
    expect((await targetError(() => terraformCliSettings(course(), { RESOPS_PROVIDER_MIRROR: moved }))).message).toBe(
      `provider mirror ${moved} (from RESOPS_PROVIDER_MIRROR) has a terraform.rc that names ${original}, not this directory (was it moved?)`,
    );

    const noRc = fresh('mirror-no-rc');
    mkdirSync(noRc);
    expect((await targetError(() => terraformCliSettings(course(), { RESOPS_PROVIDER_MIRROR: noRc }))).message).toBe(
      `provider mirror ${noRc} (from RESOPS_PROVIDER_MIRROR) has no terraform.rc`,
    );
  });
});

describe('resops provider mirror', () => {
  it('exits 0 laying out a mirror, 2 on usage errors and unusable files', async () => {
    const from = fakeProvider(`terraform-provider-openstack_3.4.0_${PLATFORM}`);
    const dir = fresh('cli-mirror');
    const runs = [
      [['provider', 'mirror', '--from', from, '--dir', dir], 0],
      [['provider', 'mirror', '--from', from, '--dir', dir, '--json'], 0],
      [['provider', 'mirror', '--from', fakeProvider('provider.xz'), '--dir', dir], 2],
      [['provider', 'mirror', '--from', join(scratch, `terraform-provider-openstack_3.4.0_${PLATFORM}`), '--dir', dir], 2],
      [['provider', 'mirrors'], 2],
      [['provider'], 2],
      [['provider', 'mirror', '--form', from], 2],
    ] as const;
    const quiet = { stdout: '', stderr: '' };
    for (const [argv, code] of runs) {
      const result = await runCli([...argv]);
      expect(result.code, argv.join(' ')).toBe(code);
      quiet.stdout += result.stdout;
      quiet.stderr += result.stderr;
    }
    expect(quiet.stdout).toContain(`export RESOPS_PROVIDER_MIRROR=${dir}`);
    expect(quiet.stdout).toContain(`provider_mirror: ${dir}`);
    const json = JSON.parse(quiet.stdout.slice(quiet.stdout.indexOf('{'), quiet.stdout.lastIndexOf('}') + 1)) as { changed: boolean; dir: string };
    expect(json).toMatchObject({ changed: false, dir });
    expect(quiet.stderr).toContain('nothing to do');
    expect(quiet.stderr).toContain('provider.xz: not a provider file name');
    expect(quiet.stderr).toContain('unknown subcommand "mirrors"');
  });
});

const shared = await providerMirror();
const skip = 'skip' in shared ? shared.skip : undefined;
const real = 'skip' in shared ? undefined : shared;

interface Run {
  code: number;
  /** stdout and stderr, blanks and line breaks made single spaces (terraform wraps its messages). */
  output: string;
  ms: number;
}

/**
 * terraform with only this CLI config, and a proxy that refuses every connection: a provider
 * looked up on the network fails at once with "proxyconnect" instead of waiting for a timeout.
 */
function terraform(cwd: string, args: string[], cliConfig: string): Promise<Run> {
  const t0 = Date.now();
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
  return new Promise((done) => {
    execFile('terraform', [...args, '-no-color'], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, output: `${stdout}\n${stderr}`.replace(/\s+/g, ' '), ms: Date.now() - t0 });
    });
  });
}

const NETWORK_TRIED = /proxyconnect|could not connect to registry|\.well-known\/terraform\.json/;

describe.skipIf(skip !== undefined)(`createMirror and terraform init with the real provider${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  /** A freshly synthesized stack directory (the course's network stack), never initialised. */
  const stackDir = () => synthCourse(course(), fresh('synth')).stacks.find((stack) => stack.kind === 'network')!.dir;

  it('unpacks the real .xz for both hosts: the binary of SHA256SUMS, and a second run changes nothing', async () => {
    const dir = fresh('real-mirror');
    const first = await createMirror({ from: SHARED_PROVIDER_XZ, dir });
    const sums = readFileSync(join(SHARED_PROVIDER_DIR, 'SHA256SUMS'), 'utf8');
    const expected = /^([0-9a-f]{64})\s+terraform-provider-openstack_v3\.4\.0$/m.exec(sums)?.[1];
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    expect(first).toMatchObject({ version: '3.4.0', platform: 'linux_amd64', layout: 'unpacked', changed: true, sha256: expected });
    for (const file of first.files) expect(sha256(file)).toBe(expected);
    expect(first.files.map((file) => relative(dir, file).split('/')[0])).toEqual([...MIRROR_HOSTS]);
    const inode = statSync(first.files[0]!).ino;

    const lines: string[] = [];
    const second = await createMirror({ from: SHARED_PROVIDER_XZ, dir, progress: (line) => lines.push(line) });
    expect(second).toEqual({ ...first, changed: false });
    expect(lines.at(-1)).toMatch(/nothing to do$/);
    expect(statSync(first.files[0]!).ino).toBe(inode);
  });

  it('terraform init installs it from the mirror, symlinked, without trying the network', async () => {
    const stack = stackDir();
    const init = await terraform(stack, ['init', '-backend=false', '-input=false'], real!.cliConfig);
    expect(init.output, init.output).toContain('Installed terraform-provider-openstack/openstack v3.4.0 (unauthenticated)');
    expect(init.code).toBe(0);
    expect(init.output).not.toMatch(NETWORK_TRIED);
    const installed = join(stack, '.terraform', 'providers', 'registry.terraform.io', PROVIDER_PATH, '3.4.0', 'linux_amd64');
    expect(lstatSync(installed).isSymbolicLink()).toBe(true);
    expect(realpathSync(installed)).toBe(realpathSync(join(real!.dir, 'registry.terraform.io', PROVIDER_PATH, '3.4.0', 'linux_amd64')));
  });

  it('a mirror that lacks the provider fails init at once with terraform\'s own error, not a network one', async () => {
    const stack = stackDir();
    const empty = fresh('empty-mirror');
    await createMirror({ from: fakeProvider('terraform-provider-openstack_2.1.0_linux_arm64'), dir: empty });
    const old = await terraform(stack, ['init', '-backend=false', '-input=false'], join(empty, 'terraform.rc'));
    expect(old.code, old.output).toBe(1);
    expect(old.output).toContain('no available releases match the given constraints ~> 3.0');
    expect(old.output).not.toMatch(NETWORK_TRIED);
    expect(old.ms).toBeLessThan(20_000);

    rmSync(join(empty, 'registry.terraform.io'), { recursive: true });
    rmSync(join(empty, 'registry.opentofu.org'), { recursive: true });
    const none = await terraform(stack, ['init', '-backend=false', '-input=false'], join(empty, 'terraform.rc'));
    expect(none.code, none.output).toBe(1);
    expect(none.output).toContain('was not found in any of the search locations');
    expect(none.output).toContain(empty);
    expect(none.output).not.toMatch(NETWORK_TRIED);
    expect(none.ms).toBeLessThan(20_000);
  });

  it('control: without the mirror, init does go to the registry, and the refusing proxy shows it', async () => {
    const stack = stackDir();
    const rc = join(fresh('plain-rc'), 'terraform.rc');
    mkdirSync(join(rc, '..'));
    writeFileSync(rc, '# nothing configured\n');
    const run = await terraform(stack, ['init', '-backend=false', '-input=false'], rc);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(NETWORK_TRIED);
  });
});
