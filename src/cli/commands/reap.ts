/** `resops reap FILE | --cloud NAME`: stop or destroy labs past their course's end and grace. */
import { courseExpiry, describeExpiry, expiryStamp } from '../../course/expiry.js';
import type { Course } from '../../course/model.js';
import type { CommandOptions } from '../../targets/driver.js';
import { reapDecisionFor, type StopResult } from '../../targets/reap.js';
import { COMMON_OPTIONS, EXIT, print, printError, UsageError, type CliCommand } from '../command.js';
import { loadCourseArg, outDirArg, parseTarget } from '../course-file.js';

export const command: CliCommand = {
  usage: 'FILE [--target T] [--dry-run] [--json] | --cloud NAME [--dry-run] [--json]',
  description: [
    'Ends labs that outlive their course: once `course.end` plus `expiry.grace_hours` is past, the',
    'course\'s servers (local: containers) are stopped (`expiry.action: stop`, the default; `up` starts',
    'them again) or everything of the course is destroyed as `down --sweep` does, leak check included',
    '(`destroy`). Before the expiry, or without `course.end`, nothing is touched. With --cloud NAME',
    '(openstack) no course file is needed: every course in the project is found by the labels its',
    'resources carry (resops-expires, resops-expiry-action) and each expired one is reaped; the others',
    'are listed and left alone. --dry-run says what would happen and changes nothing. Meant for cron:',
    'docs/instructor-guide.md has a crontab line and a systemd timer.',
  ],
  options: {
    target: COMMON_OPTIONS.target,
    cloud: { type: 'string', valueName: 'NAME', description: 'openstack, without a course file: reap every expired course in this cloud (clouds.yaml entry)' },
    'dry-run': { type: 'boolean', description: 'say what would be stopped or deleted; change nothing' },
    json: COMMON_OPTIONS.json,
    tofu: COMMON_OPTIONS.tofu,
    out: COMMON_OPTIONS.out,
  },
  positionals: [0, 1],
  notes: ['exit codes: 0 done (or nothing to do), 1 something could not be stopped or deleted, or is left after the leak check, 2 invalid course or flags'],
  async run({ values, positionals }) {
    const dryRun = values['dry-run'] === true;
    const json = values.json === true;
    if (typeof values.cloud === 'string') {
      if (positionals.length > 0) throw new UsageError('reap: give a course file or --cloud NAME, not both', 'with the file, reap acts on that course; with --cloud, on every expired course the cloud\'s labels name');
      return reapCloud(values.cloud, dryRun, json);
    }
    if (positionals.length === 0) throw new UsageError('reap: which course?', 'give the course file, or --cloud NAME to find expired courses by their labels');
    const course = loadCourseArg(positionals[0], 'reap', parseTarget(values.target));
    const options: CommandOptions = { json };
    if (values.tofu === true) options.tofu = true;
    const outDir = outDirArg(values.out);
    if (outDir) options.outDir = outDir;
    return reapCourse(course, dryRun, options);
  },
};

function stopLines(course: Course, what: string, result: StopResult, dryRun: boolean): string[] {
  const lines = [`${result.stopped.length} ${what} ${dryRun ? 'would be stopped' : 'stopped'}${result.stopped.length ? `: ${result.stopped.join(', ')}` : ''}`];
  if (result.alreadyStopped.length) lines.push(`${result.alreadyStopped.length} not running already: ${result.alreadyStopped.join(', ')}`);
  for (const f of result.failed) lines.push(`✖ ${f.name}: ${f.error}`);
  if (!dryRun && result.failed.length === 0) lines.push(`nothing was deleted: \`resops up ${course.file}\` starts them again (before it, move course.end or expiry.grace_hours, or the next reap stops them again)`);
  return lines;
}

async function reapCourse(course: Course, dryRun: boolean, options: CommandOptions): Promise<number> {
  const decision = reapDecisionFor(course);
  const expiry = describeExpiry(course);
  const base = { course: course.id, target: course.target, expires: describeExpiryStamp(course), dryRun };
  if (!decision.act) {
    if (options.json) print(JSON.stringify({ ...base, action: null, reaped: false, why: decision.why }, null, 2));
    else print(`${expiry.line}\nnothing to reap: ${decision.why}`);
    return EXIT.ok;
  }
  if (decision.action === 'stop') {
    const result = course.target === 'local' ? await stopLocal(course, dryRun) : await stopCloud(course, dryRun);
    if (options.json) print(JSON.stringify({ ...base, action: 'stop', reaped: !dryRun, ...result }, null, 2));
    else {
      print(expiry.line);
      for (const line of stopLines(course, course.target === 'local' ? 'container(s)' : 'server(s)', result, dryRun)) print(line);
    }
    return result.failed.length ? EXIT.failure : EXIT.ok;
  }
  if (dryRun) {
    const left = course.target === 'local' ? await localObjects(course) : await cloudObjects(course);
    if (options.json) print(JSON.stringify({ ...base, action: 'destroy', reaped: false, wouldDelete: left }, null, 2));
    else {
      print(expiry.line);
      print(`would destroy everything of ${course.id}, as \`resops down${course.target === 'openstack' ? ' --sweep' : ''}\` does; it has now:`);
      for (const line of left) print(`  ${line}`);
    }
    return EXIT.ok;
  }
  printError(`${expiry.line}: destroying it as \`down${course.target === 'openstack' ? ' --sweep' : ''}\` does`);
  const { driverFor } = await import('../drivers.js');
  const driver = await driverFor(course.target);
  return driver.down(course, { ...options, ...(course.target === 'openstack' ? { sweep: true } : {}) });
}

function describeExpiryStamp(course: Course): string | null {
  const at = courseExpiry(course);
  return at ? expiryStamp(at) : null;
}

async function stopLocal(course: Course, dryRun: boolean): Promise<StopResult> {
  const [{ connectDocker }, { stopCourseContainers }] = await Promise.all([import('../../local/docker.js'), import('../../targets/reap.js')]);
  const { docker } = await connectDocker();
  return stopCourseContainers(docker, course.id, { dryRun, progress: printError });
}

async function connectCloud(course: Course, why: string) {
  const { askCloud, connectCourseCloud, courseCloudName } = await import('../../targets/course-cloud.js');
  const cloud = courseCloudName(course);
  const client = await askCloud(cloud, why, () => connectCourseCloud(cloud, course.cloud.region));
  return { cloud, client, askCloud };
}

async function stopCloud(course: Course, dryRun: boolean): Promise<StopResult> {
  const { stopCourseServers } = await import('../../targets/reap.js');
  const { cloud, client, askCloud } = await connectCloud(course, 'connecting to reap the course');
  return askCloud(cloud, `stopping the servers of ${course.id}`, () => stopCourseServers(client, course.id, { dryRun, progress: printError }));
}

async function localObjects(course: Course): Promise<string[]> {
  const [{ connectDocker }, { labelledLeftovers }] = await Promise.all([import('../../local/docker.js'), import('../../local/down.js')]);
  const { docker } = await connectDocker();
  return labelledLeftovers(docker, course.id);
}

async function cloudObjects(course: Course): Promise<string[]> {
  const { findLeftovers, formatLeftovers } = await import('../../openstack/leftovers.js');
  const { cloud, client, askCloud } = await connectCloud(course, 'connecting to list the course');
  return formatLeftovers(await askCloud(cloud, `listing what ${course.id} has`, () => findLeftovers(client, course.id)));
}

async function reapCloud(cloud: string, dryRun: boolean, json: boolean): Promise<number> {
  const [{ askCloud, connectCourseCloud }, { reapCloudCourses, renderCloudReaps }] = await Promise.all([import('../../targets/course-cloud.js'), import('../../targets/reap.js')]);
  const client = await askCloud(cloud, 'connecting to reap expired courses', () => connectCourseCloud(cloud));
  const reaps = await askCloud(cloud, 'reaping expired courses', () => reapCloudCourses(client, { dryRun, progress: printError }));
  if (json) print(JSON.stringify({ cloud, dryRun, courses: reaps }, null, 2));
  else for (const line of renderCloudReaps(cloud, reaps, dryRun)) print(line);
  return reaps.every((r) => r.clean) ? EXIT.ok : EXIT.failure;
}
