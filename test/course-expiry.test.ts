import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { courseExpiry, describeExpiry, expiryStamp, expiryState } from '../src/course/expiry.js';
import { loadCourseText } from '../src/course/load.js';
import { CourseError } from '../src/course/model.js';
import { courseExpiryLabels, isExpired, labelValue } from '../src/openstack/expired-courses.js';
import { reapDecisionFor } from '../src/targets/reap.js';
import { courseLabels, metadataOf, tagsOf } from '../stacks/constructs/resource-labels.js';
import { courseYaml } from './helpers/course-yaml.js';
import { runCli } from './helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'resops-expiry-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The helper's course (ends 2026-12-05) with `change` applied to its document. */
function courseText(change: (doc: Record<string, Record<string, unknown>>) => void = () => undefined, options: Parameters<typeof courseYaml>[0] = {}): string {
  const doc = parse(courseYaml({ id: 'exp', learners: 1, ...options })) as Record<string, Record<string, unknown>>;
  change(doc);
  return stringify(doc);
}

function load(text: string) {
  return loadCourseText(text, 'course.yaml', scratch);
}

function problems(text: string): string[] {
  try {
    load(text);
    return [];
  } catch (error) {
    if (!(error instanceof CourseError)) throw error;
    return error.message.split('\n').map((line) => line.replace(/^course\.yaml:\d+:\d+ /, ''));
  }
}

describe('expiry in the course file', () => {
  it('defaults: a day of grace after the end of course.end, then stop', () => {
    const course = load(courseText());
    expect(course.expiry).toEqual({ graceHours: 24, action: 'stop' });
    expect(courseExpiry(course)?.toISOString()).toBe('2026-12-07T00:00:00.000Z');
  });

  it('grace_hours and action as written; no course.end means no expiry at all', () => {
    const course = load(courseText((doc) => void (doc.expiry = { grace_hours: 6, action: 'destroy' })));
    expect(courseExpiry(course)?.toISOString()).toBe('2026-12-06T06:00:00.000Z');
    const endless = load(courseText((doc) => void delete doc.course!.end));
    expect(courseExpiry(endless)).toBeUndefined();
    expect(expiryState(endless).kind).toBe('never');
    expect(reapDecisionFor(endless, new Date('2099-01-01T00:00:00Z'))).toMatchObject({ act: false });
  });

  it('refuses a grace out of range, an unknown action and a budget without prices, naming each field', () => {
    expect(problems(courseText((doc) => void (doc.expiry = { grace_hours: 721, action: 'delete' })))).toEqual([
      'expiry.grace_hours: must be between 0 and 720, got 721',
      expect.stringMatching(/^expiry\.action: must be `stop` or `destroy`, not "delete"/),
    ]);
    expect(problems(courseText((doc) => void (doc.budget = { amount: 100 })))).toEqual([
      'budget.amount: a budget needs `cloud.prices` (its currency and unit prices) to say what the course costs; add them, or remove `budget`',
    ]);
    expect(problems(courseText((doc) => void (doc.budget = { amount: -1 }), { prices: true }))).toEqual(['budget.amount: must be at least 0, got -1']);
    expect(load(courseText((doc) => void (doc.budget = { amount: 120.5 }), { prices: true })).budget).toEqual({ amount: 120.5 });
  });
});

describe('expiry state', () => {
  const course = load(courseText((doc) => void (doc.expiry = { grace_hours: 24, action: 'destroy' })));

  it('is quiet until 24 h before, warns from then, and says what reap will do once past', () => {
    expect(describeExpiry(course, new Date('2026-12-05T12:00:00Z'))).toMatchObject({ warn: false });
    const soon = describeExpiry(course, new Date('2026-12-06T06:00:00Z'));
    expect(soon.warn).toBe(true);
    expect(soon.line).toBe('course exp expires 2026-12-07T00:00:00Z (in 18 h): then `resops reap` deletes every lab of the course');
    const past = describeExpiry(course, new Date('2026-12-07T03:00:00Z'));
    expect(past).toEqual({ warn: true, line: 'course exp expired 2026-12-07T00:00:00Z (3 h ago): `resops reap` deletes every lab of the course' });
  });

  it('reap acts exactly from the expiry instant on, with the course\'s action', () => {
    expect(reapDecisionFor(course, new Date('2026-12-06T23:59:59Z'))).toMatchObject({ act: false });
    expect(reapDecisionFor(course, new Date('2026-12-07T00:00:00Z'))).toEqual({ act: true, action: 'destroy' });
  });
});

describe('expiry labels', () => {
  const course = load(courseText());

  it('every label set carries the expiry and the action, as metadata and as Neutron tags', () => {
    const labels = courseLabels(course, 'learner', 'learner1');
    expect(metadataOf(labels)).toEqual({ 'resops-course': 'exp', 'resops-role': 'learner', 'resops-learner': 'learner1', 'resops-expires': '2026-12-07T00:00:00Z', 'resops-expiry-action': 'stop' });
    const tags = tagsOf(labels);
    expect(tags).toContain('resops-expires=2026-12-07T00:00:00Z');
    // Neutron refuses tags with a comma or a slash, and longer than 60 characters.
    for (const tag of tags) expect(tag).toMatch(/^[^,/]{1,60}$/);
    expect(tagsOf(courseLabels(load(courseText((doc) => void delete doc.course!.end)), 'network')).some((t) => t.startsWith('resops-expires'))).toBe(false);
  });

  it('groups a project\'s resources by course; the latest expiry and the milder action win', () => {
    const found = courseExpiryLabels([
      { metadata: { 'resops-course': 'old', 'resops-expires': '2026-11-01T00:00:00Z', 'resops-expiry-action': 'destroy' } },
      { tags: ['resops-course=old', 'resops-expires=2026-11-02T00:00:00Z', 'resops-expiry-action=destroy'] },
      { metadata: { 'resops-course': 'moved', 'resops-expires': '2026-11-01T00:00:00Z', 'resops-expiry-action': 'destroy' } },
      { metadata: { 'resops-course': 'moved', 'resops-expires': '2027-01-01T00:00:00Z', 'resops-expiry-action': 'stop' } },
      { tags: ['resops-course=legacy'] },
      { metadata: { other: 'x' } },
    ]);
    expect(found).toEqual([
      { course: 'legacy', resources: 1 },
      { course: 'moved', expires: '2027-01-01T00:00:00Z', action: 'stop', resources: 2 },
      { course: 'old', expires: '2026-11-02T00:00:00Z', action: 'destroy', resources: 2 },
    ]);
    const now = new Date('2026-12-04T00:00:00Z');
    expect(found.map((c) => [c.course, isExpired(c, now)])).toEqual([['legacy', false], ['moved', false], ['old', true]]);
    expect(labelValue({ tags: ['resops-expiry-action=stop'] }, 'resops-expiry-action')).toBe('stop');
    expect(expiryStamp(new Date('2026-12-07T00:00:00.000Z'))).toBe('2026-12-07T00:00:00Z');
  });
});

describe('resops reap before the expiry', () => {
  it('changes nothing and says when the course expires, in text and JSON', async () => {
    const file = join(scratch, 'future.yaml');
    writeFileSync(file, courseText((doc) => void (doc.course!.end = '2099-12-31'), { target: 'local' }));
    const text = await runCli(['reap', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('course exp expires 2100-01-02T00:00:00Z');
    expect(text.stdout).toContain('nothing to reap');
    const json = await runCli(['reap', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ course: 'exp', expires: '2100-01-02T00:00:00Z', reaped: false, action: null });
  });

  it('refuses a course file together with --cloud, and neither', async () => {
    expect((await runCli(['reap', 'course.yaml', '--cloud', 'x'])).code).toBe(2);
    const none = await runCli(['reap']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--cloud NAME');
  });
});
