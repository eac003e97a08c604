/** Finds the Terraform (or OpenTofu) executable before any work starts, with install advice. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { TargetError } from '../targets/driver.js';

const INSTALL_HINTS: Record<string, string> = {
  terraform:
    'install Terraform ≥ 1.5 (https://developer.hashicorp.com/terraform/install) so `terraform` is on PATH, or install OpenTofu and pass --tofu',
  tofu: 'install OpenTofu (https://opentofu.org/docs/intro/install/) so `tofu` is on PATH, or leave out --tofu to use terraform',
};

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Absolute path of `name`: a path (contains a slash) is checked as given, a bare name is looked
 * up on PATH. Throws TargetError saying how to install it when it is missing.
 */
export function resolveBinary(name: string, pathEnv: string | undefined = process.env.PATH): string {
  if (name.includes('/')) {
    const file = isAbsolute(name) ? name : resolve(name);
    if (isExecutableFile(file)) return file;
    throw new TargetError(`${name}: not an executable file`, INSTALL_HINTS.terraform);
  }
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    if (isExecutableFile(file)) return file;
  }
  throw new TargetError(
    `${name} not found on PATH`,
    INSTALL_HINTS[name] ?? `install ${name} so it is on PATH`,
  );
}
