/**
 * Who may open Prometheus and Alertmanager: the web configs made from the course's monitoring
 * logins. The hashes must be real bcrypt of the current passwords (what Prometheus checks), stay
 * the same from one `configure` to the next (else the role rewrites web.yml every run), and follow
 * a password that changed.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { gnocchiUsers, gnocchiUsersFile } from '../src/access/gnocchi-users.js';
import { monitoringWebConfigs, webConfigYaml } from '../src/access/monitoring-web.js';
import { loadCourse } from '../src/course/load.js';
import { courseYaml } from './helpers/course-yaml.js';

const temp = mkdtempSync(join(tmpdir(), 'resops-monitoring-web-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
let n = 0;

function course(learners = 2) {
  const dir = mkdtempSync(join(temp, `c${++n}-`));
  const file = join(dir, 'course.yaml');
  writeFileSync(file, courseYaml({ id: `mw-${n}`, learners }));
  return loadCourse(file);
}

describe('the monitoring web configs', () => {
  it('Prometheus lets in admin and every learner, Alertmanager admin only, each with a bcrypt hash of their own password', () => {
    const c = course(3);
    const web = monitoringWebConfigs(c);
    const users = gnocchiUsers(c);
    expect(Object.keys(web.prometheus.basic_auth_users).sort()).toEqual(['admin', ...c.learners.map((l) => l.id)].sort());
    expect(Object.keys(web.alertmanager.basic_auth_users)).toEqual(['admin']);
    expect(bcrypt.compareSync(users.admin, web.prometheus.basic_auth_users.admin!)).toBe(true);
    expect(bcrypt.compareSync(users.admin, web.alertmanager.basic_auth_users.admin!)).toBe(true);
    const [first, second] = c.learners;
    expect(bcrypt.compareSync(users.learners[first!.id]!, web.prometheus.basic_auth_users[first!.id]!)).toBe(true);
    // A classmate's password does not open another learner's name.
    expect(bcrypt.compareSync(users.learners[second!.id]!, web.prometheus.basic_auth_users[first!.id]!)).toBe(false);
    const text = webConfigYaml(web.prometheus);
    for (const password of [users.admin, ...Object.values(users.learners)]) expect(text).not.toContain(password);
  });

  it('a second run gives the same hashes (no rewrite, changed=0); the cache is 0600', () => {
    const c = course();
    const once = monitoringWebConfigs(c);
    const cache = join(c.dir, c.stateDir, 'monitoring-web-hashes.yml');
    const before = readFileSync(cache, 'utf8');
    expect(monitoringWebConfigs(c)).toEqual(once);
    expect(readFileSync(cache, 'utf8')).toBe(before);
    expect(statSync(cache).mode & 0o777).toBe(0o600);
  });

  it('a changed password gets a new hash, and the old password stops working; the others keep theirs', () => {
    const c = course();
    const once = monitoringWebConfigs(c);
    const file = gnocchiUsersFile(c);
    const users = parse(readFileSync(file, 'utf8')) as { admin: string; learners: Record<string, string> };
    const learner = c.learners[0]!.id;
    const old = users.learners[learner]!;
    users.learners[learner] = 'N3wPasswordN3wPasswordN3wPassword';
    writeFileSync(file, stringify(users), { mode: 0o600 });
    const again = monitoringWebConfigs(c);
    expect(bcrypt.compareSync('N3wPasswordN3wPasswordN3wPassword', again.prometheus.basic_auth_users[learner]!)).toBe(true);
    expect(bcrypt.compareSync(old, again.prometheus.basic_auth_users[learner]!)).toBe(false);
    expect(again.prometheus.basic_auth_users.admin).toBe(once.prometheus.basic_auth_users.admin);
  });

  it('a damaged cache entry is made again, not trusted', () => {
    const c = course();
    monitoringWebConfigs(c);
    const cache = join(c.dir, c.stateDir, 'monitoring-web-hashes.yml');
    const entries = parse(readFileSync(cache, 'utf8')) as Record<string, { sha256: string; bcrypt: string }>;
    entries.admin = { sha256: entries.admin!.sha256, bcrypt: bcrypt.hashSync('someone-else', 4) };
    writeFileSync(cache, stringify(entries), { mode: 0o600 });
    // Its sha256 is the one stored for the right hash: it must not vouch for another.
    const web = monitoringWebConfigs(c);
    expect(bcrypt.compareSync(gnocchiUsers(c).admin, web.prometheus.basic_auth_users.admin!)).toBe(true);
  });
});
