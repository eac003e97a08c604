/**
 * A Terraform filesystem mirror of the OpenStack provider, for machines that cannot download it
 * (air-gapped sites, build machines), and the CLI settings that make terraform or tofu use it.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, copyFileSync, createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, mkdtempSync, openSync,
  readdirSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Course } from '../course/model.js';
import { CommandFailed } from '../process/command-failed.js';
import { startCommand } from '../process/run-command.js';
import { TargetError } from '../targets/driver.js';
import { resolveBinary } from './binary.js';

/** Terraform resolves `terraform-provider-openstack/openstack` on the first, OpenTofu on the second. */
export const MIRROR_HOSTS = ['registry.terraform.io', 'registry.opentofu.org'] as const;
export const MIRROR_CLI_CONFIG = 'terraform.rc';
export const PROVIDER_MIRROR_ENV = 'RESOPS_PROVIDER_MIRROR';

const PROVIDER = 'terraform-provider-openstack/openstack';
/** The stacks require `~> 3.0` (cdktf.json): any 3.x release; prereleases only if named exactly. */
const REQUIRED_MAJOR = 3;
const CONSTRAINT = '~> 3.0';
const SOURCE_NAME = /^terraform-provider-openstack_(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)_([a-z0-9]+)_([a-z0-9]+)(\.xz|\.zip)?$/;
const PACKED_NAME = /^terraform-provider-openstack_(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)_([a-z0-9]+_[a-z0-9]+)\.zip$/;

export interface MirrorInfo {
  /** The mirror directory, absolute. */
  dir: string;
  /** Its Terraform CLI configuration: what TF_CLI_CONFIG_FILE should name. */
  cliConfig: string;
  version: string;
  /** Terraform's platform name, e.g. `linux_amd64`. */
  platform: string;
  /** `unpacked`: the executable itself; `packed`: the release .zip, unchanged. */
  layout: 'unpacked' | 'packed';
  /** The laid-out file under each of MIRROR_HOSTS, absolute; hard links of one another where the file system allows. */
  files: string[];
  /** sha256 of that file (the executable, or the .zip). */
  sha256: string;
  /** false: the mirror already held exactly this, and nothing was written. */
  changed: boolean;
}

export interface TerraformCliSettings {
  /** Added to terraform's environment; empty when terraform should run with what it inherits. */
  env: Record<string, string>;
  /** Where the provider comes from, for the user; undefined when nothing is configured (terraform downloads it). */
  description?: string;
  /** The provider mirror in use, absolute. */
  mirrorDir?: string;
}

interface SourceFile {
  version: string;
  platform: string;
  kind: 'xz' | 'zip' | 'binary';
}

/** Terraform's name for this machine's platform (`linux_amd64`, `darwin_arm64`, …). */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os: Record<string, string> = { win32: 'windows' };
  const cpu: Record<string, string> = { x64: 'amd64', ia32: '386' };
  return `${os[platform] ?? platform}_${cpu[arch] ?? arch}`;
}

/**
 * Lays out the provider from `from` (…_3.4.0_linux_amd64.xz, the uncompressed binary, or the
 * release .zip) in `dir` for both MIRROR_HOSTS, and writes `dir/terraform.rc`. Everything is
 * staged beside `dir` and renamed into place, so a concurrent run or a reader never sees half a
 * file; when `dir` already holds the same provider and configuration, nothing is written.
 */
export async function createMirror(options: { from: string; dir: string; progress?: (line: string) => void }): Promise<MirrorInfo> {
  const progress = options.progress ?? (() => undefined);
  const from = resolve(options.from);
  const dir = resolve(options.dir);
  const source = parseSourceName(from);
  checkSourceFile(from, source);
  const xz = source.kind === 'xz' ? requireXz(from) : undefined;
  try {
    return await layOut(from, dir, source, xz, progress);
  } catch (error) {
    if (error instanceof TargetError) throw error;
    throw new TargetError(`cannot lay out the provider mirror in ${dir}: ${(error as Error).message}`, 'check that the directory, or its parent, is writable and has room');
  }
}

async function layOut(from: string, dir: string, source: SourceFile, xz: string | undefined, progress: (line: string) => void): Promise<MirrorInfo> {
  const layout = source.kind === 'zip' ? 'packed' : 'unpacked';
  const fileIn = (host: string) => (layout === 'packed'
    ? join(host, PROVIDER, basename(from))
    : join(host, PROVIDER, source.version, source.platform, `terraform-provider-openstack_v${source.version}`));
  // What replaces (or is moved aside for) this layout: the platform directory, or the .zip.
  const pieceIn = (host: string) => (layout === 'packed' ? fileIn(host) : dirname(fileIn(host)));
  const otherLayoutIn = (host: string) => (layout === 'packed'
    ? join(host, PROVIDER, source.version, source.platform)
    : join(host, PROVIDER, `terraform-provider-openstack_${source.version}_${source.platform}.zip`));
  const files = MIRROR_HOSTS.map(fileIn);
  const rc = terraformRc(dir);

  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(join(dirname(dir), `.${basename(dir)}.tmp-`));
  // mkdtemp makes it private; once renamed it is the mirror, which other users may read.
  chmodSync(staging, 0o755);
  try {
    const first = join(staging, files[0]!);
    mkdirSync(dirname(first), { recursive: true });
    progress(`${xz ? 'unpacking' : 'copying'} ${from} …`);
    const input = xz ? decompress(xz, from) : { stream: createReadStream(from), done: Promise.resolve() };
    const sha256 = await writeHashed(input.stream, first);
    await input.done;
    chmodSync(first, layout === 'packed' ? 0o644 : 0o755);
    for (const file of files.slice(1)) {
      mkdirSync(dirname(join(staging, file)), { recursive: true });
      linkOrCopy(first, join(staging, file));
    }
    writeFileSync(join(staging, MIRROR_CLI_CONFIG), rc);

    const info: MirrorInfo = {
      dir, cliConfig: join(dir, MIRROR_CLI_CONFIG), version: source.version, platform: source.platform, layout,
      files: files.map((file) => join(dir, file)), sha256, changed: true,
    };
    const what = `${PROVIDER} ${source.version} ${source.platform} (${layout})`;
    const unchanged = () => {
      progress(`${dir} already holds ${what} from ${basename(from)} and its terraform.rc: nothing to do`);
      return { ...info, changed: false };
    };
    if (holds(dir, info, rc)) return unchanged();
    if (!existsSync(dir)) {
      try {
        renameSync(staging, dir);
        progress(`laid out ${what} in ${dir} for ${MIRROR_HOSTS.join(' and ')}`);
        return info;
      } catch (error) {
        // Another run created it meanwhile; if it laid out the same, that run's result stands.
        if (!['EEXIST', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
        if (holds(dir, info, rc)) return unchanged();
      }
    }
    // The directory may hold other versions or providers: replace only what this layout owns.
    const aside = join(staging, 'replaced');
    const moveAside = (target: string, i: number) => {
      if (!existsSync(target)) return;
      mkdirSync(aside, { recursive: true });
      renameSync(target, join(aside, String(i)));
    };
    MIRROR_HOSTS.forEach((host, i) => {
      moveAside(join(dir, otherLayoutIn(host)), 2 * i);
      const target = join(dir, pieceIn(host));
      mkdirSync(dirname(target), { recursive: true });
      moveAside(target, 2 * i + 1);
      renameSync(join(staging, pieceIn(host)), target);
    });
    renameSync(join(staging, MIRROR_CLI_CONFIG), info.cliConfig);
    progress(`laid out ${what} in ${dir} for ${MIRROR_HOSTS.join(' and ')}`);
    return info;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * How terraform should find the OpenStack provider for this course: the course's
 * `cloud.provider_mirror`, else RESOPS_PROVIDER_MIRROR, else a TF_CLI_CONFIG_FILE that exists,
 * else nothing (terraform downloads it). A mirror is checked here, so a wrong one fails before
 * terraform runs, with the command that fixes it.
 */
export function terraformCliSettings(course: Course, env: NodeJS.ProcessEnv = process.env): TerraformCliSettings {
  if (course.cloud.providerMirror !== undefined) {
    return mirrorSettings(resolve(course.dir, course.cloud.providerMirror), `cloud.provider_mirror in ${course.file}`);
  }
  const fromEnv = env[PROVIDER_MIRROR_ENV];
  if (fromEnv) return mirrorSettings(resolve(fromEnv), PROVIDER_MIRROR_ENV);
  const config = env.TF_CLI_CONFIG_FILE;
  // A TF_CLI_CONFIG_FILE naming a missing file configures nothing (terraform only warns about it).
  if (config && isFile(config)) return { env: {}, description: `terraform CLI config: ${config} (from TF_CLI_CONFIG_FILE)` };
  return { env: {} };
}

function mirrorSettings(dir: string, from: string): TerraformCliSettings {
  checkMirror(dir, from);
  return { env: { TF_CLI_CONFIG_FILE: join(dir, MIRROR_CLI_CONFIG) }, description: `provider mirror: ${dir} (from ${from})`, mirrorDir: dir };
}

function checkMirror(dir: string, from: string): void {
  const platform = terraformPlatform();
  const fix = `resops provider mirror --from FILE --dir ${dir}   (FILE: terraform-provider-openstack_<3.x.y>_${platform}.xz, the binary, or the release .zip)`;
  const fail = (what: string) => new TargetError(`provider mirror ${dir} (from ${from}) ${what}`, fix);
  if (!isDirectory(dir)) throw fail('does not exist');
  const rc = join(dir, MIRROR_CLI_CONFIG);
  if (!isFile(rc)) throw fail(`has no ${MIRROR_CLI_CONFIG}`);
  const named = mirrorPathIn(readFileSync(rc, 'utf8'));
  if (named === undefined || !samePath(named, dir)) throw fail(`has a ${MIRROR_CLI_CONFIG} that names ${named ?? 'no mirror path'}, not this directory (was it moved?)`);
  const found = packagesIn(dir);
  if (!found.some((p) => p.platform === platform && satisfiesConstraint(p.version))) {
    const has = [...new Set(found.map((p) => `${p.version} ${p.platform}`))].join(', ') || 'nothing';
    throw fail(`has no ${PROVIDER} ${CONSTRAINT} for ${platform} (it has: ${has})`);
  }
}

function satisfiesConstraint(version: string): boolean {
  return /^\d+\.\d+\.\d+$/.test(version) && Number(version.split('.')[0]) === REQUIRED_MAJOR;
}

/** Every version and platform of the provider in the mirror, unpacked or packed, under any of MIRROR_HOSTS. */
function packagesIn(dir: string): Array<{ version: string; platform: string }> {
  const found: Array<{ version: string; platform: string }> = [];
  for (const host of MIRROR_HOSTS) {
    const base = join(dir, host, PROVIDER);
    for (const entry of list(base)) {
      const packed = PACKED_NAME.exec(entry);
      if (packed && isFile(join(base, entry))) found.push({ version: packed[1]!, platform: packed[2]! });
      for (const platform of list(join(base, entry))) {
        const executables = list(join(base, entry, platform)).filter((f) => f.startsWith('terraform-provider-openstack'));
        if (executables.length > 0) found.push({ version: entry, platform });
      }
    }
  }
  return found;
}

function terraformRc(dir: string): string {
  const sources = MIRROR_HOSTS.map((host) => hclString(`${host}/${PROVIDER}`)).join(', ');
  return [
    '# Written by `resops provider mirror`. The OpenStack provider comes from this directory only,',
    '# never from the network; every other provider is downloaded as usual.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${hclString(dir)}`,
    `    include = [${sources}]`,
    '  }',
    '  direct {',
    `    exclude = [${sources}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** JSON string escapes are HCL's; HCL also reads `${` and `%{` as template sequences. */
function hclString(text: string): string {
  return JSON.stringify(text).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

function mirrorPathIn(rc: string): string | undefined {
  const match = /\bpath\s*=\s*("(?:[^"\\]|\\.)*")/.exec(rc);
  if (!match) return undefined;
  try {
    return (JSON.parse(match[1]!) as string).replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  } catch {
    return undefined;
  }
}

function parseSourceName(from: string): SourceFile {
  const match = SOURCE_NAME.exec(basename(from));
  if (!match) {
    throw new TargetError(
      `${from}: not a provider file name; expected terraform-provider-openstack_<version>_<os>_<arch> with .xz, .zip or nothing (the binary), e.g. terraform-provider-openstack_3.4.0_linux_amd64.xz`,
      'the version and platform are read from the name: keep the release\'s own file name',
      2,
    );
  }
  const kind = match[4] === '.xz' ? 'xz' : match[4] === '.zip' ? 'zip' : 'binary';
  return { version: match[1]!, platform: `${match[2]}_${match[3]}`, kind };
}

function checkSourceFile(from: string, source: SourceFile): void {
  if (!isFile(from)) throw new TargetError(`${from}: no such file`, undefined, 2);
  if (source.kind !== 'zip') return;
  const head = Buffer.alloc(4);
  const fd = openSync(from, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(Buffer.from('PK\x03\x04', 'latin1'))) throw new TargetError(`${from}: not a zip file`, 'give the release .zip as downloaded, the binary, or its .xz', 2);
}

function requireXz(from: string): string {
  try {
    return resolveBinary('xz');
  } catch {
    throw new TargetError(`xz not found on PATH; it is needed to unpack ${from}`, 'install it (Debian/Ubuntu: sudo apt-get install xz-utils), or give the uncompressed binary or the release .zip');
  }
}

function decompress(xz: string, from: string): { stream: Readable; done: Promise<void> } {
  // The provider is ≈60 MB unpacked, seconds of work; a stuck disk still ends.
  const child = startCommand(xz, ['-dc', '--', from], { timeoutMs: 10 * 60_000 });
  const done = child.done.then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof CommandFailed && error.end.kind === 'not-started') throw new TargetError(`xz -dc ${from}: ${error.end.reason}`);
      const said = error instanceof CommandFailed ? error.tail.join('\n') || `exit code ${error.exitCode}` : String(error);
      throw new TargetError(`xz -dc ${from} failed: ${said}`, 'is it an intact .xz file? Check it against its SHA256SUMS');
    },
  );
  // Awaited after the copy; this keeps an early failure from being an unhandled rejection meanwhile.
  done.catch(() => undefined);
  return { stream: child.stdout, done };
}

async function writeHashed(input: Readable, target: string): Promise<string> {
  const hash = createHash('sha256');
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      hash.update(chunk);
      next(null, chunk);
    },
  });
  await pipeline(input, tee, createWriteStream(target));
  return hash.digest('hex');
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
    chmodSync(to, statSync(from).mode & 0o777);
  }
}

/** Whether `dir` already holds exactly these files (executable where unpacked) and this terraform.rc. */
function holds(dir: string, info: MirrorInfo, rc: string): boolean {
  const cliConfig = join(dir, MIRROR_CLI_CONFIG);
  if (!isFile(cliConfig) || readFileSync(cliConfig, 'utf8') !== rc) return false;
  return info.files.every((file) => isFile(file) && (info.layout === 'packed' || (statSync(file).mode & 0o111) !== 0) && sha256Of(file) === info.sha256);
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
