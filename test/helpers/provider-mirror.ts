/**
 * The real OpenStack provider as a Terraform filesystem mirror, for tests that run terraform.
 * ../shared/openstack-provider/ is read-only, so the archive is unpacked once into the project's
 * ignored .cache/, keyed by its sha256. createMirror stages beside the target and renames it into
 * place, and keeps a target another process renamed there first: vitest workers may race here.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBinary } from '../../src/terraform/binary.js';
import { createMirror, MIRROR_CLI_CONFIG } from '../../src/terraform/mirror.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_PROVIDER_DIR = join(PROJECT_ROOT, '..', 'shared', 'openstack-provider');
export const SHARED_PROVIDER_XZ = join(SHARED_PROVIDER_DIR, 'terraform-provider-openstack_3.4.0_linux_amd64.xz');

export type ProviderMirror = { dir: string; cliConfig: string } | { skip: string };

export async function providerMirror(): Promise<ProviderMirror> {
  if (!existsSync(SHARED_PROVIDER_XZ)) return { skip: `no provider archive at ${SHARED_PROVIDER_XZ}` };
  // Every user of the mirror runs the real terraform; Debian does not package it.
  try {
    resolveBinary('terraform');
  } catch {
    return { skip: 'terraform is not on PATH' };
  }
  const key = createHash('sha256').update(readFileSync(SHARED_PROVIDER_XZ)).digest('hex').slice(0, 16);
  const dir = join(PROJECT_ROOT, '.cache', 'provider-mirror', key);
  const cliConfig = join(dir, MIRROR_CLI_CONFIG);
  // The directory only ever appears whole (renamed from its staging directory), so it is complete.
  if (!existsSync(cliConfig)) await createMirror({ from: SHARED_PROVIDER_XZ, dir });
  return { dir, cliConfig };
}
