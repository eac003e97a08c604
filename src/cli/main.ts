/**
 * `resops <command> [course.yaml] [flags]`. Expected failures (bad usage, invalid course, target
 * errors) print a message and a hint, never a stack trace; unexpected ones print the stack only
 * with RESOPS_DEBUG=1.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CourseError, formatIssue } from '../course/model.js';
import { TargetError } from '../targets/driver.js';
import { EXIT, print, printError, UsageError, type CliCommand, type CommandArgs } from './command.js';
import { COMMANDS, findCommand, type CommandEntry } from './commands.js';

const EXIT_CODE_HELP = [
  'exit codes:',
  '  0  ok',
  '  1  failure (a stack or step failed, a target error)',
  '  2  invalid input or usage (unknown command or flag, missing or invalid course file)',
  '  3  preflight: the project quota would be exceeded',
];

function mainHelp(): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'resops — run hands-on ResOps courses on OpenStack (openstack target) or Docker (local target)',
    '',
    'usage: resops <command> [course.yaml] [flags]',
    '       resops <command> --help',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}${c.available ? '' : ' (not available yet)'}`),
    '',
    ...EXIT_CODE_HELP,
    '',
    'environment:',
    '  RESOPS_DEBUG=1  print the stack trace of unexpected errors',
  ];
}

function commandHelp(entry: CommandEntry, command: CliCommand): string[] {
  const flags = Object.entries(command.options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '';
    const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
    return [`${short}--${name}${value}`, spec.description] as const;
  });
  flags.push(['-h, --help', 'show this help']);
  const width = Math.max(...flags.map(([f]) => f.length));
  return [
    `usage: resops ${entry.name} ${command.usage}`,
    '',
    ...command.description,
    '',
    'flags:',
    ...flags.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    ...(command.notes?.length ? ['', ...command.notes] : []),
  ];
}

function parseCommandArgs(entry: CommandEntry, command: CliCommand, argv: string[]): CommandArgs & { help: boolean } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: command.strict ?? true });
  } catch (error) {
    throw new UsageError(`${entry.name}: ${parseErrorMessage(error)}`, `see \`resops ${entry.name} --help\``);
  }
  const values = parsed.values as CommandArgs['values'];
  const help = values.help === true;
  const [min, max] = command.positionals;
  if (!help && parsed.positionals.length < min) {
    throw new UsageError(`${entry.name}: missing argument`, `usage: resops ${entry.name} ${command.usage}`);
  }
  if (parsed.positionals.length > max) {
    throw new UsageError(
      `${entry.name}: unexpected argument "${parsed.positionals[max]}"`,
      `usage: resops ${entry.name} ${command.usage}`,
    );
  }
  return { values, positionals: parsed.positionals, help };
}

/** node's parseArgs messages carry advice about `--` that does not fit here; keep the first sentence. */
function parseErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const option = /'(-[^']*)'/.exec(error.message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown flag ${option}`;
  return error.message.split(/\.\s/)[0]!;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    for (const line of mainHelp()) printError(line);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h') {
    for (const line of mainHelp()) print(line);
    return EXIT.ok;
  }
  if (name === '--version') {
    print(version());
    return EXIT.ok;
  }
  if (name === 'help') {
    const topic = rest[0] ? findCommand(rest[0]) : undefined;
    if (rest[0] && !topic) throw unknownCommand(rest[0]);
    const lines = topic ? commandHelp(topic, await topic.load()) : mainHelp();
    for (const line of lines) print(line);
    return EXIT.ok;
  }
  const entry = findCommand(name);
  if (!entry) throw unknownCommand(name);
  const command = await entry.load();
  if (command.runRaw) return command.runRaw(rest);
  const args = parseCommandArgs(entry, command, rest);
  if (args.help) {
    for (const line of commandHelp(entry, command)) print(line);
    return EXIT.ok;
  }
  return command.run(args);
}

function unknownCommand(name: string): UsageError {
  const hint = name.startsWith('-')
    ? 'flags come after the command: resops <command> [course.yaml] [flags]; see `resops --help`'
    : `commands: ${COMMANDS.map((c) => c.name).join(', ')}`;
  return new UsageError(`unknown command "${name}"`, hint);
}

/** Prints an error the way its kind deserves and returns the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    printError(`resops: ${error.message}`);
    if (error.hint) printError(`hint: ${error.hint}`);
    return EXIT.usage;
  }
  if (error instanceof CourseError) {
    for (const issue of error.issues) printError(formatIssue(issue));
    return EXIT.usage;
  }
  if (error instanceof TargetError) {
    printError(`resops: ${error.message}`);
    if (error.hint) printError(`hint: ${error.hint}`);
    return error.exitCode;
  }
  const debug = process.env.RESOPS_DEBUG === '1';
  if (debug && error instanceof Error && error.stack) printError(error.stack);
  else printError(`resops: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  if (!debug) printError('hint: set RESOPS_DEBUG=1 to see the stack trace');
  return EXIT.failure;
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (error) {
    return reportError(error);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2));
  // Exit once stdout has drained, so piped output is never cut and no stray handle keeps us alive.
  process.stdout.write('', () => process.exit(code));
}
