/** Reads a stack's Terraform outputs (`terraform output -json`). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runTerraform } from './process.js';

export interface StackOutputs {
  /** Output name → value; sensitive values are replaced by `(sensitive)` so they never reach a log. */
  values: Record<string, unknown>;
  error?: string;
}

interface RawOutput {
  sensitive?: boolean;
  value?: unknown;
}

/**
 * Outputs of the stack in `dir`. Runs `init` first when the directory was never initialised
 * (e.g. after a fresh synth); `init` output is captured, not shown, unless it fails.
 */
export async function readStackOutputs(binary: string, dir: string, env: Record<string, string> = {}, color = false): Promise<StackOutputs> {
  const noColor = color ? [] : ['-no-color'];
  if (!existsSync(join(dir, '.terraform'))) {
    const init = await runTerraform({ binary, cwd: dir, env, args: ['init', '-input=false', '-reconfigure', ...noColor] });
    if (init.code !== 0) return { values: {}, error: `init failed: ${lastLines(init.stderr || init.stdout)}` };
  }
  const result = await runTerraform({ binary, cwd: dir, env, args: ['output', '-json', ...noColor] });
  if (result.code !== 0) return { values: {}, error: `output failed: ${lastLines(result.stderr || result.stdout)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout || '{}');
  } catch {
    return { values: {}, error: 'terraform output -json printed something that is not JSON' };
  }
  const values: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries((parsed ?? {}) as Record<string, RawOutput>)) {
    values[name] = raw.sensitive ? '(sensitive)' : raw.value;
  }
  return { values };
}

function lastLines(text: string, count = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' ');
}
