/** `resops provider mirror`: the OpenStack provider as a Terraform filesystem mirror, for machines that cannot download it. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { createMirror, MIRROR_HOSTS, PROVIDER_MIRROR_ENV } from '../../terraform/mirror.js';
import { defaultSchemaDirectory } from '../../terraform/provider-schema.js';
import { COMMON_OPTIONS, EXIT, print, printError, UsageError, type CliCommand } from '../command.js';

const USAGE = 'mirror [--from FILE] [--dir DIR] [--json]';
/** Shipped beside the project where providers cannot be downloaded (../shared/openstack-provider/). */
const SHARED_PROVIDER = join(defaultSchemaDirectory(), 'terraform-provider-openstack_3.4.0_linux_amd64.xz');

export function defaultMirrorDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'resops', 'provider-mirror');
}

export const command: CliCommand = {
  usage: USAGE,
  description: [
    'Lays out terraform-provider-openstack/openstack as a Terraform filesystem mirror (for registry.terraform.io and',
    'registry.opentofu.org) and writes DIR/terraform.rc, which installs that provider from DIR only, never from the',
    'network. FILE is the provider binary named terraform-provider-openstack_<version>_<os>_<arch>, the same',
    'compressed with xz (.xz), or the official release .zip; the name gives the version and platform.',
    'Running it again with the same file changes nothing.',
  ],
  options: {
    from: { type: 'string', valueName: 'FILE', description: `the provider (default ${SHARED_PROVIDER}, when it exists)` },
    dir: { type: 'string', valueName: 'DIR', description: 'the mirror directory (default $XDG_STATE_HOME/resops/provider-mirror or ~/.local/state/resops/provider-mirror)' },
    json: COMMON_OPTIONS.json,
  },
  positionals: [1, 1],
  notes: ['exit codes: 0 ok, 1 failure (xz missing or failing, cannot write DIR), 2 usage or an unusable FILE'],
  async run({ values, positionals }) {
    if (positionals[0] !== 'mirror') throw new UsageError(`provider: unknown subcommand "${positionals[0]}"`, `usage: resops provider ${USAGE}`);
    const from = typeof values.from === 'string' ? values.from : existsSync(SHARED_PROVIDER) ? SHARED_PROVIDER : undefined;
    if (from === undefined) {
      throw new UsageError(
        `provider mirror: --from FILE is required (there is no ${relative(process.cwd(), SHARED_PROVIDER)} to default to)`,
        'FILE: terraform-provider-openstack_<version>_<os>_<arch>.xz, the uncompressed binary of that name, or the release .zip',
      );
    }
    const dir = typeof values.dir === 'string' ? values.dir : defaultMirrorDir();
    const json = values.json === true;
    const info = await createMirror({ from, dir, progress: (line) => (json ? printError(line) : print(line)) });
    if (json) {
      print(JSON.stringify(info, null, 2));
      return EXIT.ok;
    }
    print('');
    print(`${info.changed ? 'Provider mirror ready' : 'Provider mirror already up to date'}: ${info.dir}`);
    print(`  terraform-provider-openstack/openstack ${info.version} ${info.platform}, ${info.layout}, sha256 ${info.sha256}`);
    for (const file of info.files) print(`  ${relative(info.dir, file)}`);
    print(`  Terraform CLI configuration: ${info.cliConfig}`);
    print('');
    print('Use it for every course on this machine:');
    print(`  export ${PROVIDER_MIRROR_ENV}=${info.dir}`);
    print('or for one course, in its course file (a relative path resolves from the course file\'s directory):');
    print('  cloud:');
    print(`    provider_mirror: ${info.dir}`);
    print(`or for terraform and tofu run by hand (the mirror serves ${MIRROR_HOSTS.join(' and ')}):`);
    print(`  export TF_CLI_CONFIG_FILE=${info.cliConfig}`);
    return EXIT.ok;
  },
};
