import { TargetError } from '../../targets/driver.js';
import type { CliCommand } from '../command.js';

/** Placeholder so `--help` shows the whole surface before a command lands. */
export function notAvailable(name: string): CliCommand {
  return {
    usage: '[ARGS…]',
    description: [`\`resops ${name}\` is not available yet.`],
    options: {},
    positionals: [0, Infinity],
    strict: false,
    async run() {
      throw new TargetError(`${name}: not available yet`, 'see `resops --help` for the commands available now');
    },
  };
}
