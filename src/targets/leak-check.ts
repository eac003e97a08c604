/**
 * The leak check that ends `down --target openstack`: after terraform destroy, anything in the
 * project that still carries the course's label or name prefix is a leak (a failed destroy, a
 * resource made by hand during an exercise, a state file lost), and so is a Keystone user,
 * credential or role assignment of the course (a learner dropped from the roster keeps their
 * account otherwise). `--sweep` deletes those in
 * dependency order and checks again.
 */
import type { Leftover } from '../openstack/leftovers.js';
import { formatLeftovers } from '../openstack/leftovers.js';
import { askCloud, type CourseCloudApi } from './course-cloud.js';

export interface LeakCheckResult {
  cloud: string;
  course: string;
  /** What the check found after terraform destroy. */
  before: Leftover[];
  /** Present when --sweep ran: what it deleted and what it could not. */
  swept?: { deleted: Leftover[]; failed: Array<{ leftover: Leftover; error: string }> };
  /** What is left at the end: `before` without a sweep, the second check's result after one. */
  after: Leftover[];
  clean: boolean;
}

export interface LeakCheckOptions {
  cloud: string;
  region?: string;
  courseId: string;
  /** Only what belongs to this learner: every name of theirs is `<course>-<learner>` or starts `<course>-<learner>-` (a floating IP by its description). */
  learnerId?: string;
  sweep: boolean;
  /** One line per deletion and wait of the sweep. */
  steps: (line: string) => void;
}

/** Throws TargetError (naming the cloud and the call) when the cloud cannot be asked. */
export async function runLeakCheck(api: CourseCloudApi, options: LeakCheckOptions): Promise<LeakCheckResult> {
  const { cloud, courseId } = options;
  const client = await askCloud(cloud, 'connecting for the leak check', () => api.connect(cloud, options.region));
  const found = await askCloud(cloud, `the leak check (listing what is left of ${courseId})`, () => api.findLeftovers(client, courseId));
  const before = options.learnerId === undefined ? found : found.filter((l) => belongsToLearner(l, courseId, options.learnerId!));
  if (!options.sweep || before.length === 0) {
    return { cloud, course: courseId, before, ...(options.sweep ? { swept: { deleted: [], failed: [] } } : {}), after: before, clean: before.length === 0 };
  }
  options.steps(`sweeping ${before.length} leftover${before.length === 1 ? '' : 's'} of ${courseId} from cloud "${cloud}" …`);
  // The list shown is the list swept: nothing appears between the check and the deletion unseen.
  const result = await askCloud(cloud, `the sweep of ${courseId}`, () =>
    api.sweepLeftovers(client, courseId, { leftovers: before, onProgress: options.steps }),
  );
  return {
    cloud,
    course: courseId,
    before,
    swept: { deleted: result.deleted, failed: result.failed },
    after: result.remaining,
    clean: result.remaining.length === 0,
  };
}

export function belongsToLearner(leftover: Pick<Leftover, 'name'>, courseId: string, learnerId: string): boolean {
  const prefix = `${courseId}-${learnerId}`;
  return leftover.name === prefix || leftover.name.startsWith(`${prefix}-`);
}

/** Lines for the terminal; `sweepCommand` is what to run to delete what is left. */
export function renderLeakCheck(result: LeakCheckResult, sweepCommand: string): string[] {
  const { cloud, course } = result;
  const indent = (lines: string[]) => lines.map((l) => `  ${l}`);
  const count = (n: number) => `${n} resource${n === 1 ? '' : 's'}`;
  const lines = [`leak check in cloud "${cloud}" (resources labelled resops-course=${course} or named ${course}-…; Keystone users labelled so or named resops-${course}-…, their credentials and roles, the discovery credential):`];
  if (result.swept) {
    if (result.before.length > 0) lines.push(`found ${count(result.before.length)} after destroy:`, ...indent(formatLeftovers(result.before)));
    lines.push(`swept: ${result.swept.deleted.length} deleted, ${result.swept.failed.length} failed`);
    for (const { leftover, error } of result.swept.failed) {
      lines.push(`  could not delete ${leftover.kind} ${leftover.name || leftover.id}: ${error}`);
    }
  }
  if (result.after.length === 0) {
    lines.push(`✔ nothing carrying the course's metadata (resops-course=${course}) or name prefix (${course}-) is left in cloud "${cloud}", and Keystone holds no user or credential of it`);
    return lines;
  }
  lines.push(`✖ ${count(result.after.length)} of ${course} ${result.swept ? 'still left after the sweep' : 'left'}:`, ...indent(formatLeftovers(result.after)));
  lines.push(
    result.swept
      ? 'hint: run the sweep again, or delete them by hand; the failures above say what stopped them'
      : `hint: \`${sweepCommand}\` deletes them, in dependency order`,
  );
  return lines;
}
