import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { runInContainer } from '../process/run-in-container.js';
import { CLOUD_CONTAINER, CLOUD_IMAGE, CLOUD_LABEL, ROLE_LABEL } from './container.js';

/**
 * The host's loop devices that hold a rehearsal cloud's volumes. With `--servers containers`,
 * Cinder's volumes are sparse files named `<cloud>_volume-<id>` (or `_snapshot-`), and Nova's
 * container driver backs a loop device with each attached one
 * (containers/openstack/servers/resops-attach-volume). Loop devices are the host kernel's, so
 * they are a change to the host: `cloud status` lists them, `cloud down` lets go of them.
 */

export interface CloudLoopDevice {
  /** /dev/loopN */
  device: string;
  /** The backing file's name: `<cloud>_volume-<id>`. */
  file: string;
  /** The volume (or snapshot) id. */
  volume: string;
  /** Already let go of (the kernel's autoclear): freed once its last user closes it. */
  releasing: boolean;
}

const BACKING = /^(.+)_(?:volume|snapshot)-([0-9a-f-]{36})$/;

/** The cloud a volume file belongs to, the volume's id and the file's name; undefined for any other file. */
export function parseBackingFile(file: string): { cloud: string; volume: string; file: string } | undefined {
  // The kernel shows a backing file removed since as "<path> (deleted)".
  const name = path.basename(file.trim().replace(/ \(deleted\)$/, ''));
  const match = BACKING.exec(name);
  return match ? { cloud: match[1]!, volume: match[2]!, file: name } : undefined;
}

/** The loop devices of the host backed by volume files of cloud `cloud` (from /sys/block). */
export function cloudLoopDevices(cloud = CLOUD_CONTAINER, sysBlock = '/sys/block'): CloudLoopDevice[] {
  let entries: string[];
  try {
    entries = readdirSync(sysBlock).filter((e) => /^loop\d+$/.test(e));
  } catch {
    return []; // no sysfs (not Linux): no loop devices to speak of
  }
  const found: CloudLoopDevice[] = [];
  for (const entry of entries) {
    let backing: string;
    try {
      backing = readFileSync(path.join(sysBlock, entry, 'loop', 'backing_file'), 'utf8');
    } catch {
      continue; // a loop device not in use has no backing_file
    }
    const parsed = parseBackingFile(backing);
    if (parsed?.cloud !== cloud) continue;
    const autoclear = (() => {
      try {
        return readFileSync(path.join(sysBlock, entry, 'loop', 'autoclear'), 'utf8').trim() === '1';
      } catch {
        return false;
      }
    })();
    found.push({ device: `/dev/${entry}`, file: parsed.file, volume: parsed.volume, releasing: autoclear });
  }
  return found.sort((a, b) => a.device.localeCompare(b.device, 'en', { numeric: true }));
}

const RELEASE = ['/usr/local/bin/resops-attach-volume', 'release', '--cloud'];

/**
 * Lets go of cloud `cloud`'s loop devices: those in use by a running server are freed by the
 * kernel once the server stops (a lazy detach). Done in the cloud's container when it runs, else
 * in a short-lived one of the cloud's image with the same access to loop devices (after a purge,
 * or a cloud that died without `down`). Devices let go of before are left to the kernel. Returns
 * the devices it let go of.
 */
export async function releaseCloudLoopDevices(client: Docker, cloud = CLOUD_CONTAINER, sysBlock = '/sys/block'): Promise<CloudLoopDevice[]> {
  const devices = cloudLoopDevices(cloud, sysBlock).filter((d) => !d.releasing);
  if (devices.length === 0) return [];
  const running = await client.getContainer(cloud).inspect().then((i) => i.State.Running, () => false);
  if (running) {
    await runInContainer(client, client.getContainer(cloud), cloud, [...RELEASE, cloud], { timeoutMs: 60_000 });
    return devices;
  }
  const helper = await client.createContainer({
    name: `${cloud}-release-volumes`,
    Image: CLOUD_IMAGE,
    Entrypoint: ['sleep', '120'],
    Labels: { [CLOUD_LABEL]: cloud, [ROLE_LABEL]: 'cloud-volume-release' },
    HostConfig: {
      NetworkMode: 'none',
      Devices: [{ PathOnHost: '/dev/loop-control', PathInContainer: '/dev/loop-control', CgroupPermissions: 'rwm' }],
      DeviceCgroupRules: ['b 7:* rwm'],
    },
  });
  try {
    await helper.start();
    await runInContainer(client, helper, `${cloud}-release-volumes`, [...RELEASE, cloud], { timeoutMs: 60_000 });
  } finally {
    await helper.remove({ force: true });
  }
  return devices;
}
