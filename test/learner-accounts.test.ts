/**
 * Learner accounts, the parts that need no cloud: names, when a credential expires, and the
 * clouds.yaml a learner is handed (read back by the toolkit's own clouds.yaml reader, as the
 * learner's tools would). The accounts themselves are tested on the rehearsal cloud
 * (test/openstack-cloud.test.ts, "learner accounts").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accountCloudName, accountExpiry, accountUserName, DEFAULT_DAYS, learnerCloudsYaml } from '../src/accounts/learner-accounts.js';
import { findCloudConfig } from '../src/openstack/cloud-config.js';
import { identityLabel, identityLabelOf, userBelongsToCourse } from '../src/openstack/identity-leftovers.js';

const temp = mkdtempSync(join(tmpdir(), 'resops-accounts-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('learner accounts', () => {
  it('a credential lasts to the end of course.end plus expiry.grace_hours, or a week without an end date', () => {
    expect(accountExpiry({ end: '2026-12-05', expiry: { graceHours: 24, action: 'stop' } }).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(accountExpiry({ end: '2026-12-05', expiry: { graceHours: 5, action: 'destroy' } }).toISOString()).toBe('2026-12-06T05:00:00.000Z');
    const now = new Date('2026-12-04T10:00:00Z');
    expect(accountExpiry({ expiry: { graceHours: 24, action: 'stop' } }, now).getTime() - now.getTime()).toBe(DEFAULT_DAYS * 86_400_000);
  });

  it('names say whose they are and which course: resops-<course>-<learner>', () => {
    expect(accountUserName({ id: 'ws1' }, { id: 'alice' })).toBe('resops-ws1-alice');
    expect(accountCloudName({ id: 'ws1' })).toBe('resops-ws1');
  });

  it("the learner's clouds.yaml holds their application credential only, and the toolkit's reader takes it as such", () => {
    const file = join(temp, 'alice.clouds.yaml');
    const expires = new Date('2026-12-07T00:00:00Z');
    writeFileSync(file, learnerCloudsYaml({ id: 'ws1' }, { authUrl: 'https://keystone.example.org:5000/v3', regionName: 'RegionOne', interface: 'public' }, { id: 'ac-123', secret: 's3cret-value' }, expires));
    const config = findCloudConfig('resops-ws1', { env: { OS_CLIENT_CONFIG_FILE: file }, cwd: temp, home: temp });
    expect(config).toMatchObject({ authUrl: 'https://keystone.example.org:5000/v3', regionName: 'RegionOne', interface: 'public', auth: { type: 'application_credential', id: 'ac-123', secret: 's3cret-value' } });
    expect(Object.entries(config!.auth).filter(([, v]) => v !== undefined).map(([k]) => k).sort()).toEqual(['id', 'secret', 'type']);
  });

  it("the leak check knows the course's Keystone users by the label in their description, else by the name resops-<course>-, and never takes a nested course's or a stranger's", () => {
    const labelled = (course: string, name: string) => ({ name, description: `${identityLabel(course)} learner=x: a learner's account (resops accounts)` });
    expect(identityLabelOf(labelled('ws1', 'whatever'))).toBe('ws1');
    const known = new Set(['ws1', 'ws1-b']);
    expect(userBelongsToCourse('ws1', labelled('ws1', 'resops-ws1-alice'), known)).toBe('label');
    // The label decides, whatever the name says.
    expect(userBelongsToCourse('ws1', labelled('ws1-b', 'resops-ws1-b-alice'), known)).toBeUndefined();
    expect(userBelongsToCourse('ws1', labelled('ws1', 'someone-renamed'), known)).toBe('label');
    // Unlabelled (made before the label): the name, unless it fits a longer course id seen on a label.
    expect(userBelongsToCourse('ws1', { name: 'resops-ws1-bob' }, known)).toBe('name');
    expect(userBelongsToCourse('ws1', { name: 'resops-ws1-b-carol' }, known)).toBeUndefined();
    expect(userBelongsToCourse('ws1', { name: 'resops-ws10-dave' }, known)).toBeUndefined();
    expect(userBelongsToCourse('ws1', { name: 'ws1-erin', description: 'a person' }, known)).toBeUndefined();
    expect(userBelongsToCourse('ws1', { name: 'admin', description: 'resops-course=ws1x' }, known)).toBeUndefined();
  });
});
