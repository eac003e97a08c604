/**
 * The host's loop devices that hold a rehearsal cloud's volumes (src/cloud/loop-devices.ts):
 * found by their backing file's name, `<cloud>_volume-<id>`, and only the cloud's own. A sysfs
 * tree written here covers the kernel's shapes (deleted files, unused devices, other clouds); the
 * last test backs a real loop device of this machine with a volume-named file.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudLoopDevices, parseBackingFile } from '../src/cloud/loop-devices.js';
import { runCommand } from '../src/process/run-command.js';

const A = '7e687514-52fe-4608-90b7-7ae3f7a96608';
const B = 'dda17b65-5b84-45fa-be6e-50783d06b63c';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function sysfs(devices: Record<string, string | null>, autoclear: string[] = []): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'resops-sysblock-'));
  dirs.push(dir);
  for (const [name, backing] of Object.entries(devices)) {
    mkdirSync(path.join(dir, name, 'loop'), { recursive: true });
    // The kernel has no backing_file for a loop device nothing is attached to.
    if (backing !== null) writeFileSync(path.join(dir, name, 'loop', 'backing_file'), `${backing}\n`);
    writeFileSync(path.join(dir, name, 'loop', 'autoclear'), autoclear.includes(name) ? '1\n' : '0\n');
  }
  return dir;
}

describe('loop devices of a rehearsal cloud\'s volumes', () => {
  it('reads the cloud and the volume from a backing file\'s name, whatever path the kernel shows', () => {
    expect(parseBackingFile(`/var/lib/cinder/volumes/resops-cloud_volume-${A}`)).toEqual({ cloud: 'resops-cloud', volume: A, file: `resops-cloud_volume-${A}` });
    // Removed while attached (the cloud's container is gone), seen from another mount namespace.
    expect(parseBackingFile(`/var/lib/docker/overlay2/x/diff/var/lib/cinder/volumes/my_cloud_volume-${B} (deleted)\n`)).toEqual({ cloud: 'my_cloud', volume: B, file: `my_cloud_volume-${B}` });
    expect(parseBackingFile(`/var/lib/cinder/volumes/resops-cloud_snapshot-${A}`)).toEqual({ cloud: 'resops-cloud', volume: A, file: `resops-cloud_snapshot-${A}` });
    expect(parseBackingFile('/home/me/disk.img')).toBeUndefined();
    expect(parseBackingFile(`/x/volume-${A}`)).toBeUndefined();
  });

  it('lists only the named cloud\'s devices, in device order, skipping unused ones and other files', () => {
    const dir = sysfs({
      loop0: `/var/lib/cinder/volumes/resops-cloud_volume-${A}`,
      loop1: null,
      loop2: `/var/lib/cinder/volumes/resops-cloud-2_volume-${B}`,
      loop10: `/var/lib/cinder/volumes/resops-cloud_volume-${B} (deleted)`,
      loop3: '/srv/images/debian.raw',
      sda: '/not/a/loop',
    }, ['loop10']);
    expect(cloudLoopDevices('resops-cloud', dir)).toEqual([
      { device: '/dev/loop0', file: `resops-cloud_volume-${A}`, volume: A, releasing: false },
      // Let go of while still open: the kernel frees it at its last close.
      { device: '/dev/loop10', file: `resops-cloud_volume-${B}`, volume: B, releasing: true },
    ]);
    expect(cloudLoopDevices('resops-cloud-2', dir).map((d) => d.device)).toEqual(['/dev/loop2']);
    expect(cloudLoopDevices('resops-cloud', path.join(dir, 'absent'))).toEqual([]);
  });

  const canLoop = process.getuid?.() === 0 && existsSync('/dev/loop-control');
  it.skipIf(!canLoop)('finds a real loop device of this machine backed by a volume-named file, and forgets it once detached', async () => {
    const cloud = `resops-test-${process.pid}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'resops-loop-'));
    dirs.push(dir);
    const volume = randomUUID();
    const file = path.join(dir, `${cloud}_volume-${volume}`);
    writeFileSync(file, '');
    await runCommand('truncate', ['-s', '8M', file], { timeoutMs: 10_000 });
    const device = (await runCommand('losetup', ['-f', '--show', file], { timeoutMs: 10_000 })).stdout.trim();
    try {
      expect(cloudLoopDevices(cloud)).toEqual([{ device, file: path.basename(file), volume, releasing: false }]);
      expect(cloudLoopDevices(`${cloud}-other`)).toEqual([]);
    } finally {
      await runCommand('losetup', ['-d', device], { timeoutMs: 10_000, check: false });
    }
    expect(cloudLoopDevices(cloud)).toEqual([]);
  });
});
