/** `resops cloud up|status|down`: the rehearsal cloud parses its own subcommands and flags. */
import type { CliCommand } from '../command.js';

export const command: CliCommand = {
  usage: 'up|status|down [flags]   (resops cloud --help for the flags)',
  description: ['Starts, inspects or stops the rehearsal cloud: Keystone, Glance, Placement, Nova, Neutron, Cinder and Swift from Debian in one container.'],
  // Parsed by src/cloud/command.ts itself (per subcommand); listed here for the docs' checks.
  options: {
    course: { type: 'string', valueName: 'FILE', description: 'up: seed what this course needs (repeatable)' },
    project: { type: 'string', valueName: 'NAME', description: 'up: a project NAME with a NAME-instructor user (repeatable)' },
    servers: { type: 'string', valueName: 'containers|fake', description: 'up: servers boot as containers (Nova\'s container driver), or stay fake (default)' },
    rebuild: { type: 'boolean', description: 'up: rebuild the image even if it is current' },
    purge: { type: 'boolean', description: 'down: remove the container and its data too' },
    'state-dir': { type: 'string', valueName: 'DIR', description: 'where clouds.yaml goes' },
    timeout: { type: 'string', valueName: 'SEC', description: 'up: bound on start-to-ready' },
    json: { type: 'boolean', description: 'machine-readable output on stdout' },
  },
  positionals: [1, 1],
  runRaw: async (argv) => (await import('../../cloud/command.js')).runCloudCommand(argv),
  run: async () => 2,
};
