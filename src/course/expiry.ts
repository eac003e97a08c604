import type { Course, ExpiryAction } from './model.js';

/**
 * When a course's labs expire: the end of `course.end` (midnight UTC after that day) plus
 * `expiry.grace_hours`. Learners' cloud accounts expire at the same instant
 * (src/accounts/learner-accounts.ts), so a reaped lab has no account left to rebuild it with.
 */

/** `status` and `up` warn from this many hours before the expiry. */
export const WARN_HOURS = 24;

const HOUR_MS = 3_600_000;

/** The end of `course.end`'s last day (midnight UTC after it); undefined without an end. */
export function courseEndInstant(course: Pick<Course, 'end'>): Date | undefined {
  return course.end ? new Date(Date.parse(`${course.end}T00:00:00Z`) + 24 * HOUR_MS) : undefined;
}

/** The instant the labs expire; undefined when the course has no end, and so never expires. */
export function courseExpiry(course: Pick<Course, 'end' | 'expiry'>): Date | undefined {
  const end = courseEndInstant(course);
  return end && new Date(end.getTime() + course.expiry.graceHours * HOUR_MS);
}

/**
 * The expiry as the labels carry it: seconds precision, UTC, no milliseconds, so it is a valid
 * Neutron tag (`resops-expires=2026-12-07T00:00:00Z`: no comma or slash) and compares as text.
 */
export function expiryStamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type ExpiryState =
  | { kind: 'never' }
  | { kind: 'running'; at: Date; hoursLeft: number; soon: boolean }
  | { kind: 'expired'; at: Date; hoursAgo: number; action: ExpiryAction };

export function expiryState(course: Pick<Course, 'end' | 'expiry'>, now = new Date()): ExpiryState {
  const at = courseExpiry(course);
  if (!at) return { kind: 'never' };
  const hours = (at.getTime() - now.getTime()) / HOUR_MS;
  if (hours > 0) return { kind: 'running', at, hoursLeft: hours, soon: hours <= WARN_HOURS };
  return { kind: 'expired', at, hoursAgo: -hours, action: course.expiry.action };
}

function hoursText(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

/** One line for `status`, `up` and `reap`; a warning when the expiry is near or past. */
export function describeExpiry(course: Pick<Course, 'id' | 'end' | 'expiry'>, now = new Date()): { line: string; warn: boolean } {
  const state = expiryState(course, now);
  const what = course.expiry.action === 'destroy' ? 'deletes every lab of the course' : 'stops every server of the course';
  switch (state.kind) {
    case 'never':
      return { line: `course ${course.id} has no course.end: its labs never expire and \`reap\` leaves them alone`, warn: false };
    case 'running':
      return {
        line: `course ${course.id} expires ${expiryStamp(state.at)} (in ${hoursText(state.hoursLeft)}): then \`resops reap\` ${what}`,
        warn: state.soon,
      };
    case 'expired':
      return {
        line: `course ${course.id} expired ${expiryStamp(state.at)} (${hoursText(state.hoursAgo)} ago): \`resops reap\` ${what}`,
        warn: true,
      };
  }
}
