/** Loads the course file named on the command line, with CLI-friendly errors. */
import { existsSync, statSync } from 'node:fs';
import { loadCourse } from '../course/load.js';
import { TARGETS, type Course, type Learner, type Target } from '../course/model.js';
import { UsageError } from './command.js';

export function parseTarget(value: string | boolean | undefined): Target | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if ((TARGETS as readonly string[]).includes(value)) return value as Target;
  throw new UsageError(`--target ${value}: unknown target`, `use one of: ${TARGETS.join(', ')}`);
}

export function requireCourseFile(file: string | undefined, command: string): string {
  if (!file) throw new UsageError(`${command}: missing the course file`, `usage: resops ${command} course.yaml`);
  if (!existsSync(file)) throw new UsageError(`${file}: course file not found`, 'check the path (relative to the current directory)');
  if (!statSync(file).isFile()) throw new UsageError(`${file}: not a file`, 'name the course YAML file, not its directory');
  return file;
}

/**
 * Throws UsageError for a missing file and CourseError (with every issue) for an invalid one.
 * `OS_CLOUD` overrides `cloud.name`, as it does for every OpenStack tool: the synthesized provider
 * block names the cloud explicitly, and an explicit `cloud` there would otherwise win over the
 * variable (this is how a course is pointed at the rehearsal cloud without editing it).
 */
export function loadCourseArg(file: string | undefined, command: string, target?: Target, env: NodeJS.ProcessEnv = process.env): Course {
  const path = requireCourseFile(file, command);
  const course = loadCourse(path, target ? { target } : {});
  const fromEnv = env.OS_CLOUD?.trim();
  if (fromEnv && fromEnv !== course.cloud.name) {
    process.stderr.write(`cloud: ${fromEnv} (from OS_CLOUD; the course file says ${course.cloud.name})\n`);
    return { ...course, cloud: { ...course.cloud, name: fromEnv } };
  }
  return course;
}

/** `--out DIR`: undefined when not given; refused when it names something that is not a directory. */
export function outDirArg(value: string | boolean | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (existsSync(value) && !statSync(value).isDirectory()) {
    throw new UsageError(`--out ${value}: exists and is not a directory`, 'name a directory (it is created when missing)');
  }
  return value;
}

/**
 * The learner a command acts for: `--learner ID`, else RESOPS_LEARNER (which a learner sets once
 * for every command); undefined when neither is given. An id the course does not have is an error.
 */
export function learnerOption(course: Course, value: string | boolean | undefined, env: NodeJS.ProcessEnv = process.env): Learner | undefined {
  const id = typeof value === 'string' ? value : env.RESOPS_LEARNER;
  if (!id) return undefined;
  const learner = course.learners.find((l) => l.id === id);
  if (!learner) throw new UsageError(`${course.file}: no learner "${id}" in course ${course.id}${typeof value === 'string' ? '' : ' (from RESOPS_LEARNER)'}`, `learners: ${course.learners.map((l) => l.id).join(', ')}`);
  return learner;
}
