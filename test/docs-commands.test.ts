/**
 * The docs and the CLI cannot drift apart: every `resops …` command shown in README.md and
 * docs/*.md names a command that exists and only flags that command has (parsed against its own
 * option list, so it holds where the command cannot run here), and README's command list shows
 * every flag each command's --help has. Commands that run here are run by other tests (README's
 * walk-through by readme-walkthrough.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** `resops <command> …` up to the end of the line or of the inline code span, with where it is. */
function commandLines(): Array<{ file: string; line: number; text: string; command: string; flags: string[] }> {
  const found: Array<{ file: string; line: number; text: string; command: string; flags: string[] }> = [];
  for (const file of DOCS) {
    readFileSync(join(ROOT, file), 'utf8').split('\n').forEach((line, i) => {
      for (const [, text] of line.matchAll(/\bresops ([a-z][a-z-]*(?: [^`|#\n]*)?)/g)) {
        const command = text!.split(' ')[0]!;
        // Prose such as "resops turns it into machines" is not a command line.
        if (!COMMANDS.some((c) => c.name === command) && !/^[a-z]+ (examples\/|course\.yaml|FILE|--)/.test(text!)) continue;
        found.push({ file, line: i + 1, text: text!.trim(), command, flags: [...text!.matchAll(/(?:^|\s|\[)(--[a-z][a-z-]*)/g)].map((m) => m[1]!) });
      }
    });
  }
  return found;
}

describe('docs agree with the CLI', () => {
  it('every resops command in README.md and docs/ exists and uses only flags it has', async () => {
    const problems: string[] = [];
    const lines = commandLines();
    expect(lines.length).toBeGreaterThan(40);
    for (const { file, line, text, command, flags } of lines) {
      const entry = COMMANDS.find((c) => c.name === command);
      if (!entry) {
        problems.push(`${file}:${line}: \`resops ${text}\`: no command "${command}"`);
        continue;
      }
      const options = Object.keys((await entry.load()).options);
      for (const flag of flags) if (flag !== '--help' && !options.includes(flag.slice(2))) problems.push(`${file}:${line}: \`resops ${text}\`: ${command} has no ${flag}`);
    }
    expect(problems).toEqual([]);
  });

  it('README\'s command list shows every flag of every command', async () => {
    const block = /## Commands\s*```sh\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))![1]!;
    const missing: string[] = [];
    for (const entry of COMMANDS.filter((c) => c.available)) {
      const shown = block.split('\n').filter((l) => new RegExp(`resops (?:[a-z|]*\\|)?${entry.name}\\b`).test(l)).join('\n');
      if (!shown) {
        missing.push(`${entry.name}: not in the list`);
        continue;
      }
      for (const option of Object.keys((await entry.load()).options)) if (!shown.includes(`--${option}`)) missing.push(`${entry.name} --${option}`);
    }
    expect(missing).toEqual([]);
  });
});
