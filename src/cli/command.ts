/** What a CLI command is: its usage, flags and a run function returning the exit code. */

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder in help, e.g. `DIR` for `--out DIR`. */
  valueName?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandArgs {
  values: OptionValues;
  positionals: string[];
}

export interface CliCommand {
  /** After `resops <name> `, e.g. `FILE [--json]`. */
  usage: string;
  /** Paragraph(s) shown by `--help` below the usage line. */
  description: string[];
  options: Record<string, OptionSpec>;
  /** Positional arguments accepted (e.g. `[1, 1]` for exactly one course file). */
  positionals: [min: number, max: number];
  /** Extra help lines (exit codes specific to the command…). */
  notes?: string[];
  /** false: pass unknown flags through instead of rejecting them (placeholders). Default true. */
  strict?: boolean;
  /**
   * Commands with subcommands of their own (`cloud up|status|down`) parse their arguments
   * themselves: when set, the CLI hands them the raw arguments instead of calling `run`.
   */
  runRaw?: (argv: string[]) => Promise<number>;
  run(args: CommandArgs): Promise<number>;
}

/** Bad command line: printed with its hint, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  quotaExceeded: 3,
} as const;

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Flags shared by the commands that take a course file. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', description: 'print machine-readable JSON on stdout' },
  target: { type: 'string', valueName: 'T', description: 'target to use instead of the course file\'s (local or openstack)' },
  out: { type: 'string', valueName: 'DIR', description: 'directory for synthesized stacks (default cdktf.out)' },
  tofu: { type: 'boolean', description: 'openstack target: run OpenTofu (tofu) instead of terraform' },
} as const satisfies Record<string, OptionSpec>;
