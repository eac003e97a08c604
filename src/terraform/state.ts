/**
 * What a synthesized stack's Terraform state holds, read from the files without running terraform.
 * Terraform needs the provider even to destroy or read an empty state (measured: `init` fails
 * offline, and `destroy` then refuses to run), so a stack that was never applied would make
 * `down` and `status` fail on a machine that cannot download the provider.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type StackState =
  /** The backend's state file does not exist: the stack was never applied here. */
  | { kind: 'absent'; file: string }
  /** The state file exists but tracks no managed resource (e.g. after a complete destroy). */
  | { kind: 'empty'; file: string }
  | { kind: 'resources'; file: string; count: number }
  /** Not a local state we can read (remote backend, unreadable file): only terraform can tell. */
  | { kind: 'unknown'; reason: string };

interface StackConfig {
  terraform?: { backend?: Record<string, { path?: string } | undefined> };
}

interface StateFile {
  resources?: Array<{ mode?: string; instances?: unknown[] }>;
}

/** Reads the backend of `<stackDir>/cdk.tf.json` and, when it is local, the state file it names. */
export function inspectStackState(stackDir: string): StackState {
  const configFile = join(stackDir, 'cdk.tf.json');
  if (!existsSync(configFile)) return { kind: 'unknown', reason: `no ${configFile}` };
  let config: StackConfig;
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8')) as StackConfig;
  } catch (error) {
    return { kind: 'unknown', reason: `${configFile}: ${(error as Error).message}` };
  }
  const backend = config.terraform?.backend;
  let statePath = 'terraform.tfstate';
  if (backend !== undefined) {
    const [type] = Object.keys(backend);
    if (type !== 'local') return { kind: 'unknown', reason: `state is kept in a ${type ?? 'unnamed'} backend` };
    statePath = backend.local?.path ?? statePath;
  }
  // Terraform resolves a relative local path from its working directory, the stack directory.
  const file = resolve(stackDir, statePath);
  if (!existsSync(file)) return { kind: 'absent', file };
  let state: StateFile;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
  } catch (error) {
    return { kind: 'unknown', reason: `${file}: ${(error as Error).message}` };
  }
  // Data sources are only read, never destroyed: they do not make a stack worth destroying.
  const count = (state.resources ?? []).filter((r) => r.mode === 'managed' && (r.instances ?? []).length > 0).length;
  return count === 0 ? { kind: 'empty', file } : { kind: 'resources', file, count };
}

/** Why `terraform destroy` has nothing to do in this stack, or undefined when it must run. */
export function nothingToDestroy(stackDir: string): string | undefined {
  const state = inspectStackState(stackDir);
  if (state.kind === 'absent') return 'nothing to destroy: no state file, never applied here';
  if (state.kind === 'empty') return 'nothing to destroy: its state holds no resources';
  return undefined;
}
