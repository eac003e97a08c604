import { CourseError, formatIssue, type CourseIssue } from '../../course/model.js';
import { COMMON_OPTIONS, EXIT, print, printError, type CliCommand } from '../command.js';
import { loadCourseArg, parseTarget } from '../course-file.js';

export const command: CliCommand = {
  usage: 'FILE [--json] [--target T]',
  description: [
    'Checks a course file and its roster: every problem is reported with file:line:column, the',
    'field and what is wrong. Writes nothing.',
  ],
  options: { json: COMMON_OPTIONS.json, target: COMMON_OPTIONS.target },
  positionals: [1, 1],
  notes: ['exit codes: 0 valid, 2 invalid (or file missing)'],
  async run({ values, positionals }) {
    const file = positionals[0];
    let issues: CourseIssue[] = [];
    try {
      const course = loadCourseArg(file, 'validate', parseTarget(values.target));
      if (values.json) {
        print(JSON.stringify({ ok: true, issues: [], course: { id: course.id, target: course.target, learners: course.learners.length } }, null, 2));
      } else {
        const n = course.learners.length;
        print(`${file}: ok — ${n} learner${n === 1 ? '' : 's'}, target ${course.target}`);
      }
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof CourseError)) throw error;
      issues = error.issues;
    }
    if (values.json) {
      print(JSON.stringify({ ok: false, issues }, null, 2));
    } else {
      for (const issue of issues) printError(formatIssue(issue));
      printError(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
    }
    return EXIT.usage;
  },
};
