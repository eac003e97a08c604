import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';

/**
 * The Docker daemon for a suite of real-Docker tests: skipped where none answers, except in CI,
 * where a missing daemon is a broken setup and fails loudly instead of skipping everything.
 */
export async function suiteDocker(needs: string): Promise<{ docker: Docker; dockerAvailable: boolean }> {
  const docker = new Docker();
  const dockerAvailable = await docker.ping().then(
    () => true,
    () => false,
  );
  if (!dockerAvailable && process.env.CI) throw new Error(`CI: no Docker daemon answers; ${needs} need one`);
  return { docker, dockerAvailable };
}

/** A course id of its own per run (`<prefix>-<6 hex>`), and a number from it to spread ports and CIDRs. */
export function suiteId(prefix: string): { id: string; suffix: string; n: number } {
  const suffix = randomBytes(3).toString('hex');
  return { id: `${prefix}-${suffix}`, suffix, n: parseInt(suffix, 16) };
}
