/**
 * The host's inotify limit, which bounds how many rehearsal servers can boot (every server's
 * systemd, journald, logind and udev take instances from root's shared quota): reading it, counting
 * what processes hold, and when `cloud up --servers containers` warns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INOTIFY_PER_SERVER, inotifyInstanceLimit, inotifyInstancesOf, inotifyNote, serversInotifyAllows } from '../src/cloud/host-limits.js';

describe('inotify limits', () => {
  it('reads the limit, and nothing from a file that is missing or not a number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resops-inotify-'));
    try {
      writeFileSync(join(dir, 'limit'), '128\n');
      writeFileSync(join(dir, 'bad'), 'many\n');
      expect(inotifyInstanceLimit(join(dir, 'limit'))).toBe(128);
      expect(inotifyInstanceLimit(join(dir, 'bad'))).toBeUndefined();
      expect(inotifyInstanceLimit(join(dir, 'missing'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts the instances a process holds: one more while this process watches a directory', () => {
    const before = inotifyInstancesOf([process.pid]);
    const watcher = watch(tmpdir());
    try {
      expect(inotifyInstancesOf([process.pid])).toBeGreaterThan(before);
    } finally {
      watcher.close();
    }
    expect(inotifyInstancesOf([2 ** 30])).toBe(0);
  });

  it('warns when the room left is short of a class, and says how to raise it', () => {
    expect(serversInotifyAllows(128, 8, INOTIFY_PER_SERVER)).toBe(20);
    const note = inotifyNote(128, 8);
    expect(note).toContain('about 20 more servers');
    expect(note).toContain('sysctl -w fs.inotify.max_user_instances=1024');
    expect(inotifyNote(8192, 8)).toBeUndefined();
    expect(inotifyNote(undefined, 8)).toBeUndefined();
  });
});
