/**
 * The course's state directory holds its secrets: whatever made the folder first, the toolkit
 * leaves its root 0700 and each secret 0600 (Terraform state included, which Terraform writes 0644).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureAutomationKey } from '../src/access/admin-access.js';
import { gnocchiUsers, gnocchiUsersFile } from '../src/access/gnocchi-users.js';
import { mungeKey } from '../src/pipeline/munge-key.js';
import { protectTerraformState } from '../src/terraform/state-modes.js';

const scratch = mkdtempSync(join(tmpdir(), 'resops-private-state-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
let counter = 0;

/** A course whose state root another tool already made world-readable (0755). */
function looseCourse() {
  const dir = join(scratch, `c${++counter}`);
  const course = { dir, stateDir: '.resops/x', id: `x${counter}`, learners: [{ id: 'ann' }, { id: 'ben' }] };
  mkdirSync(join(dir, '.resops/x'), { recursive: true });
  chmodSync(join(dir, '.resops/x'), 0o755);
  return course;
}

describe('attack: another local user reads the course state', () => {
  it("Gnocchi's users: the file 0600, the state root tightened to 0700", () => {
    const course = looseCourse();
    gnocchiUsers(course);
    expect([mode(join(course.dir, course.stateDir)), mode(gnocchiUsersFile(course))]).toEqual(['700', '600']);
  });

  it('the automation key and the munge key tighten the root too', () => {
    const a = looseCourse();
    ensureAutomationKey(a);
    expect(mode(join(a.dir, a.stateDir))).toBe('700');
    const b = looseCourse();
    mungeKey(b);
    expect([mode(join(b.dir, b.stateDir)), mode(join(b.dir, b.stateDir, 'pipeline', 'munge.key'))]).toEqual(['700', '600']);
  });

  it('Terraform state files and backups written 0644 become 0600; other files are left alone', () => {
    const course = looseCourse();
    const dir = join(course.dir, course.stateDir, 'terraform');
    mkdirSync(dir, { mode: 0o755 });
    const files = ['x-network.tfstate', 'x-network.tfstate.backup', 'x-ann.tfstate.1764000000.backup', 'notes.txt'];
    for (const f of files) writeFileSync(join(dir, f), '{}', { mode: 0o644 });
    protectTerraformState(course);
    expect([mode(join(course.dir, course.stateDir)), mode(dir)]).toEqual(['700', '700']);
    expect(files.map((f) => [f, mode(join(dir, f))])).toEqual([
      ['x-network.tfstate', '600'], ['x-network.tfstate.backup', '600'], ['x-ann.tfstate.1764000000.backup', '600'], ['notes.txt', '644'],
    ]);
  });
});
