/**
 * Limits of this host that bound how many rehearsal servers can boot, read from /proc. Every
 * server container's systemd, journald, logind and udev take inotify instances, and all of them
 * run as root in the host's user namespace: they share root's `fs.inotify.max_user_instances`
 * (128 by default) with everything else root runs. A systemd that gets none stops booting
 * ("Too many open files"), and Nova cannot see that: the server is ACTIVE without sshd. The bench
 * saw one server of the batch 21–30 never answer SSH with the default limit.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export const INOTIFY_LIMIT_FILE = '/proc/sys/fs/inotify/max_user_instances';

/** The host's fs.inotify.max_user_instances, or undefined where /proc does not say. */
export function inotifyInstanceLimit(file = INOTIFY_LIMIT_FILE): number | undefined {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** inotify instances held by these processes (host PIDs); processes gone meanwhile count 0. */
export function inotifyInstancesOf(pids: number[]): number {
  let count = 0;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify') count++;
      } catch {
        // closed meanwhile
      }
    }
  }
  return count;
}

/** How many more servers the limit leaves room for, at `perServer` instances each. */
export function serversInotifyAllows(limit: number, inUse: number, perServer: number): number {
  if (perServer <= 0) return Infinity;
  return Math.max(0, Math.floor((limit - inUse) / perServer));
}

/** inotify instances an idle server holds: 4–6 measured (systemd, journald, logind, udev, sshd). */
export const INOTIFY_PER_SERVER = 6;
/** Below this many servers' worth of room, `cloud up --servers containers` says so. */
const ENOUGH_SERVERS = 100;

/** inotify instances held by every process this user can see. */
export function inotifyInstancesInUse(): number {
  return inotifyInstancesOf(readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number));
}

/**
 * What `cloud up` says when the host's inotify limit leaves room for fewer servers than a class
 * needs; undefined when it leaves enough (or cannot be read).
 */
export function inotifyNote(limit: number | undefined, inUse: number): string | undefined {
  if (limit === undefined) return undefined;
  const room = serversInotifyAllows(limit, inUse, INOTIFY_PER_SERVER);
  if (room >= ENOUGH_SERVERS) return undefined;
  return (
    `note: this host allows ${limit} inotify instances per user (fs.inotify.max_user_instances) and ${inUse} are in use; ` +
    `each server takes up to ${INOTIFY_PER_SERVER}, so about ${room} more servers fit under it. ` +
    `For a class: sudo sysctl -w fs.inotify.max_user_instances=1024`
  );
}
