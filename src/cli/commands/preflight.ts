import { runPreflight, preflightExitCode } from '../../preflight/preflight.js';
import { renderPreflight } from '../../preflight/render.js';
import { COMMON_OPTIONS, print, type CliCommand } from '../command.js';
import { loadCourseArg, parseTarget } from '../course-file.js';

export const command: CliCommand = {
  usage: 'FILE [--json] [--target T]',
  description: [
    'Estimates what the course consumes (instances, vCPUs, RAM, volumes, floating IPs, security',
    'groups, networks, subnets, routers, ports) per learner, per shared part and in total, and what',
    'it costs when the course file gives unit prices (whole course = every day from start to end',
    'date inclusive, 24 h a day). Then compares the need (in use + course) with the quota of',
    'the cloud named in the course file; without cloud credentials the quota is not checked.',
  ],
  options: { json: COMMON_OPTIONS.json, target: COMMON_OPTIONS.target },
  positionals: [1, 1],
  notes: ['exit codes: 0 ok (or no cloud configured), 1 the configured cloud could not be asked, 2 invalid course, 3 a quota would be exceeded'],
  async run({ values, positionals }) {
    const course = loadCourseArg(positionals[0], 'preflight', parseTarget(values.target));
    const report = await runPreflight(course);
    if (values.json) print(JSON.stringify(report, null, 2));
    else for (const line of renderPreflight(report)) print(line);
    return preflightExitCode(report);
  },
};
