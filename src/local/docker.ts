/**
 * The Docker connection of the local target, and the translation of Docker's failures into
 * messages that say what to do (TargetError) instead of stack traces.
 */
import Docker from 'dockerode';
import { TargetError } from '../targets/driver.js';

/** Labels the local target sets besides LABELS (course, learner, role) from the course model. */
export const LOCAL_LABELS = {
  /** Hash of everything a container or network was created from; a difference means recreate. */
  specHash: 'resops.spec-hash',
  /** Hash of an image's build context (and its parent's): a difference means rebuild. */
  contextHash: 'resops.context-hash',
  /** Name of a resops image (`node`, `prometheus`, …): what `down --images` removes. */
  image: 'resops.image',
} as const;

/** What the daemon says it is, for the first progress line. */
export interface DockerInfo {
  version: string;
  apiVersion: string;
}

function where(): string {
  return process.env.DOCKER_HOST ?? '/var/run/docker.sock';
}

/** Connects and pings the daemon; an unreachable daemon is an expected failure. */
export async function connectDocker(): Promise<{ docker: Docker; info: DockerInfo }> {
  const docker = new Docker();
  try {
    const version = await docker.version();
    return { docker, info: { version: version.Version, apiVersion: version.ApiVersion } };
  } catch (error) {
    throw dockerUnreachable(error);
  }
}

function dockerUnreachable(error: unknown): TargetError {
  const code = errorCode(error);
  if (code === 'EACCES') {
    return new TargetError(
      `permission denied on the Docker socket (${where()})`,
      'add your user to the `docker` group (then log in again), or run as a user that may use Docker',
    );
  }
  return new TargetError(
    `Docker is not running (cannot reach ${where()}: ${code ?? messageOf(error)})`,
    'start Docker (e.g. `sudo systemctl start docker`, or start Docker Desktop) and run the command again',
  );
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function statusCode(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCode(error) === 404;
}

/** Docker's own message without dockerode's `(HTTP code 409) unexpected - ` prefix. */
export function messageOf(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message.trim();
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\(HTTP code \d+\)\s*[\w ]*-\s*/, '').trim();
}

/**
 * Runs one Docker call; failures become TargetErrors naming what was being done. Connection
 * failures mid-command (daemon stopped) get the "Docker is not running" message.
 */
export async function dockerCall<T>(doing: string, call: () => Promise<T>, hint?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TargetError) throw error;
    const code = errorCode(error);
    if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ECONNRESET') {
      throw dockerUnreachable(error);
    }
    const message = messageOf(error);
    throw new TargetError(`${doing}: ${message}`, hint ?? hintFor(message));
  }
}

function hintFor(message: string): string | undefined {
  if (/port is already allocated|address already in use/i.test(message)) {
    return 'another program holds that port on 127.0.0.1: stop it, or change `local.ssh_port_base` / `local.ports` in the course file';
  }
  if (/overlaps with other one|Pool overlaps/i.test(message)) {
    return 'another Docker network uses addresses of this course: change `network.cidr` in the course file, or remove that network';
  }
  if (/no space left on device/i.test(message)) {
    return 'free disk space for Docker (`docker system prune`) and run the command again';
  }
  return undefined;
}
