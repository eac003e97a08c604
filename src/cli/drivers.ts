/** Picks the driver of a target; the local driver is loaded only when used. */
import type { Target } from '../course/model.js';
import { TargetError, type TargetDriver } from '../targets/driver.js';

// A URL rather than a literal so this compiles (and `openstack` works) before src/local exists.
const LOCAL_DRIVER_URL = new URL('../local/driver.js', import.meta.url).href;

export async function driverFor(target: Target): Promise<TargetDriver> {
  if (target === 'openstack') return (await import('../targets/openstack-driver.js')).openstackDriver;
  let module: { localDriver?: TargetDriver };
  try {
    module = (await import(LOCAL_DRIVER_URL)) as { localDriver?: TargetDriver };
  } catch (error) {
    if (isMissing(error, 'local/driver')) {
      throw new TargetError('local target not available yet', 'use --target openstack, or update resops-lab');
    }
    throw error;
  }
  if (!module.localDriver) throw new TargetError('local target not available yet', 'src/local/driver.ts does not export localDriver');
  return module.localDriver;
}

/** True when the missing module is `what` itself, not something it imports. */
function isMissing(error: unknown, what: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(error.message)?.[1] ?? '';
  return missing.includes(what);
}
