/** `resops handout`: one sheet per learner and one for the instructor, with each learner's Gnocchi login beside it. */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { accountCloudName, accountFileName } from '../../accounts/learner-accounts.js';
import { join, relative, resolve } from 'node:path';
import { gnocchiLearner, netrcEntry } from '../../access/gnocchi-users.js';
import { buildInventory } from '../../ansible/build.js';
import type { Course } from '../../course/model.js';
import { privateStateRoot } from '../../course/private-state.js';
import { resopsCommand } from '../../exercises/resops-command.js';
import {
  INSTRUCTOR_PRINTABLE_SHEET,
  INSTRUCTOR_SHEET,
  instructorSheet,
  instructorSheetHtml,
  learnerSheet,
  learnerSheetHtml,
  netrcFileName,
  printableSheetFileName,
  sheetFileName,
  type HandoutInput,
  type MonitoringUrls,
} from '../../handout/sheets.js';
import { COMMON_OPTIONS, EXIT, print, printError, UsageError, type CliCommand } from '../command.js';
import { loadCourseArg, outDirArg, parseTarget } from '../course-file.js';

function monitoringUrls(course: Course, input: Pick<HandoutInput, 'inventory'>): MonitoringUrls | undefined {
  if (!course.monitoring.enabled) return undefined;
  if (course.target === 'local') {
    return { prometheus: `http://127.0.0.1:${course.local.ports.prometheus}`, gnocchi: `http://127.0.0.1:${course.local.ports.gnocchi}` };
  }
  const host = input.inventory.hosts.find((h) => h.group === 'monitoring')?.vars.ansible_host;
  return typeof host === 'string' ? { prometheus: `http://${host}:9090`, gnocchi: `http://${host}:8041` } : undefined;
}

/** Written 0600 in a 0700 folder: the sheets name people (personal data), the netrc files hold passwords. */
function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export const command: CliCommand = {
  usage: 'FILE [--target T] [--learner ID] [--out DIR] [--stacks DIR] [--tofu] [--json]',
  description: [
    'Writes the class-day handout: for each learner a sheet, in Markdown and as an HTML page to print',
    '(how to log in to each of their machines, the monitoring URLs, the first exercise commands) and their monitoring login as a netrc',
    'file beside it, plus an instructor\'s sheet with every learner and who can reach what. Addresses',
    'come from the course\'s inventory (local: its containers; openstack: Terraform outputs), so',
    'run it after `up` (and after `accounts create`, whose clouds.yaml files the sheets then explain).',
    'Files are 0600 in a 0700 folder: hand each learner their own files.',
  ],
  options: {
    target: COMMON_OPTIONS.target,
    learner: { type: 'string', valueName: 'ID', description: 'only this learner\'s sheet and login (and the instructor\'s sheet)' },
    out: { type: 'string', valueName: 'DIR', description: 'where the files go (default <state dir>/handouts)' },
    stacks: { type: 'string', valueName: 'DIR', description: 'openstack: directory of the synthesized stacks (default cdktf.out)' },
    tofu: COMMON_OPTIONS.tofu,
    json: { type: 'boolean', description: 'print what was written as JSON (files per learner)' },
  },
  positionals: [1, 1],
  notes: ['exit codes: 0 written, 1 a target error, 2 invalid course or flags'],
  async run({ values, positionals }) {
    const course = loadCourseArg(positionals[0], 'handout', parseTarget(values.target));
    const only = typeof values.learner === 'string' ? values.learner : undefined;
    if (only !== undefined && !course.learners.some((l) => l.id === only)) {
      throw new UsageError(`--learner ${only}: no such learner in ${course.file}`, `learners: ${course.learners.map((l) => l.id).join(', ')}`);
    }
    const stacks = outDirArg(values.stacks);
    const outDir = outDirArg(values.out) ?? join(privateStateRoot(course), 'handouts');
    const inventory = await buildInventory(course, {
      keys: {},
      login: 'learner',
      ...(stacks ? { stacksDir: stacks } : {}),
      ...(values.tofu === true ? { tofu: true } : {}),
      log: (line) => printError(line),
    });
    // Which key Ansible would use is not the handout's business: each learner brings their own.
    for (const warning of inventory.warnings.filter((w) => !/private key|admin_ssh_public_key/.test(w))) printError(`warning: ${warning}`);
    const courseFile = relative(process.cwd(), resolve(course.file)) || course.file;
    const input: HandoutInput = { course, inventory, resops: resopsCommand(), courseFile };
    const urls = monitoringUrls(course, input);
    if (urls) input.monitoring = urls;
    // `resops accounts create` wrote them here: the sheet tells their owner how to use theirs.
    const accounts = Object.fromEntries(
      course.learners.filter((l) => existsSync(join(outDir, accountFileName(l)))).map((l) => [l.id, { file: accountFileName(l), cloud: accountCloudName(course) }]),
    );
    if (Object.keys(accounts).length) input.cloudAccounts = accounts;
    // `resops dashboard tokens` wrote these here.
    const dashboards = Object.fromEntries(course.learners.filter((l) => existsSync(join(outDir, `${l.id}.dashboard.json`))).map((l) => [l.id, `${l.id}.dashboard.json`]));
    if (Object.keys(dashboards).length) input.dashboardFiles = dashboards;

    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    chmodSync(outDir, 0o700);
    const written: Array<{ learner: string; sheet: string; printable: string; login?: string }> = [];
    for (const learner of course.learners.filter((l) => only === undefined || l.id === only)) {
      const sheet = join(outDir, sheetFileName(learner));
      writePrivate(sheet, learnerSheet(input, learner));
      const printable = join(outDir, printableSheetFileName(learner));
      writePrivate(printable, learnerSheetHtml(input, learner));
      const entry: { learner: string; sheet: string; printable: string; login?: string } = { learner: learner.id, sheet, printable };
      if (urls) {
        const login = join(outDir, netrcFileName(learner));
        writePrivate(login, netrcEntry(urls.gnocchi, gnocchiLearner(course, learner.id)));
        entry.login = login;
      }
      written.push(entry);
    }
    const instructor = join(outDir, INSTRUCTOR_SHEET);
    writePrivate(instructor, instructorSheet(input));
    const instructorPrintable = join(outDir, INSTRUCTOR_PRINTABLE_SHEET);
    writePrivate(instructorPrintable, instructorSheetHtml(input));
    if (values.json === true) {
      print(JSON.stringify({ course: course.id, target: course.target, dir: outDir, instructor, instructorPrintable, learners: written }, null, 2));
    } else {
      printError(`${outDir}: ${written.length} learner sheet${written.length === 1 ? '' : 's'} (.md, and .html to print)${urls ? ' with their Gnocchi logins' : ''} and ${INSTRUCTOR_SHEET} (${INSTRUCTOR_PRINTABLE_SHEET})`);
    }
    return EXIT.ok;
  },
};
