/** `resops cloud up|status|down`: the rehearsal cloud parses its own subcommands and flags. */
import type { CliCommand } from '../command.js';

export const command: CliCommand = {
  usage: 'up|status|down [flags]   (resops cloud --help for the flags)',
  description: ['Starts, inspects or stops the rehearsal cloud: Keystone, Glance, Placement, Nova, Neutron, Cinder and Swift from Debian in one container.'],
  options: {},
  positionals: [1, 1],
  runRaw: async (argv) => (await import('../../cloud/command.js')).runCloudCommand(argv),
  run: async () => 2,
};
