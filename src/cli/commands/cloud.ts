/** `resops cloud up|status|down`: the rehearsal cloud parses its own subcommands and flags. */
import { visibleCloudOptions } from '../../cloud/cloud-options.js';
import type { CliCommand } from '../command.js';

export const command: CliCommand = {
  usage: 'up|status|down [flags]   (resops cloud --help for the flags)',
  description: ['Starts, inspects or stops the rehearsal cloud: Keystone, Glance, Placement, Nova, Neutron, Cinder and Swift from Debian in one container.'],
  // Parsed by src/cloud/command.ts itself (per subcommand); the same table, for help and the docs' checks.
  options: visibleCloudOptions(),
  positionals: [1, 1],
  runRaw: async (argv) => (await import('../../cloud/command.js')).runCloudCommand(argv),
  run: async () => 2,
};
