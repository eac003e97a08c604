/** `resops schema`: the JSON Schema of the course file, for editors that complete and check YAML. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { courseJsonSchemaText, SCHEMA_FILE } from '../../course/schema/json-schema.js';
import { EXIT, print, printError, type CliCommand } from '../command.js';

export const command: CliCommand = {
  usage: '[--out FILE]',
  description: [
    'Prints the JSON Schema (draft-07) of the course file: every field with its type, default, limits and',
    'description. Editors with yaml-language-server (VS Code\'s YAML extension, …) use it to complete and check a',
    'course file whose first line names it:',
    '',
    `  # yaml-language-server: $schema=../${SCHEMA_FILE}`,
    '',
    'The schema checks each field on its own; `resops validate` also checks how fields fit together',
    '(network sizes, dates in order, unique learner ids, SSH key data, the roster CSV).',
  ],
  options: {
    out: { type: 'string', valueName: 'FILE', description: 'write the schema to FILE instead of printing it' },
  },
  positionals: [0, 0],
  notes: ['exit codes: 0 ok, 1 FILE cannot be written'],
  async run({ values }) {
    const text = courseJsonSchemaText();
    if (typeof values.out !== 'string') {
      process.stdout.write(text);
      return EXIT.ok;
    }
    try {
      mkdirSync(dirname(values.out), { recursive: true });
      writeFileSync(values.out, text);
    } catch (error) {
      printError(`resops: cannot write ${values.out}: ${(error as Error).message}`);
      return EXIT.failure;
    }
    print(`${values.out}: the course file's JSON Schema`);
    return EXIT.ok;
  },
};
