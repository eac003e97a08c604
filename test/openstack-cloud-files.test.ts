import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudEntry, readClouds, storedPassword, writeClouds } from '../src/cloud/clouds-yaml.js';
import { CONTEXT_DIR, contextHash } from '../src/cloud/container.js';
import { addCourse, defaultSeed } from '../src/cloud/seed.js';
import { loadCourse } from '../src/course/load.js';
import { findCloudConfig } from '../src/openstack/cloud-config.js';

/** The rehearsal cloud's files: its clouds.yaml, what it seeds for a course, its image's context hash. No Docker needed. */

const roots: string[] = [];
function temp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'resops-cloud-files-'));
  roots.push(dir);
  return dir;
}
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('rehearsal clouds.yaml', () => {
  it('is written 0600, keeps other clouds, and is what the client discovers', () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'clouds.yaml'), 'clouds:\n  mine:\n    auth:\n      auth_url: http://example.org:5000\n      username: me\n      password: x\n');
    const file = writeClouds(dir, { 'resops-local': cloudEntry('admin', 'pw-1', 'admin'), 'resops-local-demo': cloudEntry('demo-instructor', 'pw-2', 'demo') });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Object.keys(readClouds(dir)).sort()).toEqual(['mine', 'resops-local', 'resops-local-demo']);
    expect(storedPassword(dir, 'resops-local-demo')).toBe('pw-2');
    const config = findCloudConfig('resops-local-demo', { env: { RESOPS_CLOUD_DIR: dir }, cwd: temp(), home: temp() });
    expect(config).toMatchObject({ authUrl: 'http://127.0.0.1:5000/v3', regionName: 'RegionOne', auth: { username: 'demo-instructor', projectName: 'demo' } });
  });

  it('purge removes the rehearsal entries only', () => {
    const dir = temp();
    writeClouds(dir, { mine: cloudEntry('me', 'x', 'p'), 'resops-local': cloudEntry('admin', 'a', 'admin'), 'resops-local-demo': cloudEntry('d', 'b', 'demo') });
    writeClouds(dir, {}, ['resops-local', 'resops-local-*']);
    expect(Object.keys(readClouds(dir))).toEqual(['mine']);
    expect(readFileSync(path.join(dir, 'clouds.yaml'), 'utf8')).not.toContain('resops-local');
  });
});

describe('seeding for a course', () => {
  it('adds the course\'s flavors, image, external network and project to the defaults', () => {
    const dir = temp();
    const course = path.join(dir, 'course.yaml');
    const text = readFileSync(path.join(import.meta.dirname, '..', 'examples', 'course.yaml'), 'utf8')
      .replace('name: m1.large,  vcpus: 4, ram_mb: 8192', 'name: c4.big, vcpus: 4, ram_mb: 16384')
      .replace('image: debian-12', 'image: ubuntu-22.04')
      .replace('external_network: public', 'external_network: ext-net');
    writeFileSync(course, text);
    cpSync(path.join(import.meta.dirname, '..', 'examples', 'learners.csv'), path.join(dir, 'learners.csv'));
    const seed = addCourse(defaultSeed(), loadCourse(course, { target: 'openstack' }));
    expect(seed.flavors.find((f) => f.name === 'c4.big')).toMatchObject({ vcpus: 4, ramMb: 16384 });
    expect(seed.flavors.filter((f) => f.name === 'm1.small')).toHaveLength(1);
    expect(seed.images).toEqual(['debian-12', 'ubuntu-22.04']);
    expect(seed.externalNetworks).toEqual(['public', 'ext-net']);
    expect(seed.projects).toEqual(['resops-demo']);
  });
});

describe('image context hash', () => {
  it('is stable, and changes when a file of containers/openstack changes', () => {
    const copy = temp();
    cpSync(CONTEXT_DIR, copy, { recursive: true });
    const before = contextHash(copy);
    expect(contextHash(copy)).toBe(before);
    expect(contextHash(CONTEXT_DIR)).toBe(before);
    writeFileSync(path.join(copy, 'etc', 'nova', 'nova.conf'), `${readFileSync(path.join(copy, 'etc', 'nova', 'nova.conf'), 'utf8')}\n# edited\n`);
    expect(contextHash(copy)).not.toBe(before);
  });
});
