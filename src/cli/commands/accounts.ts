/** `resops accounts create|list|delete`: learners' own cloud accounts (openstack target, shared-project mode). */
import { join } from 'node:path';
import { privateStateRoot } from '../../course/private-state.js';
import { COMMON_OPTIONS, EXIT, print, printError, UsageError, type CliCommand } from '../command.js';
import { loadCourseArg, outDirArg } from '../course-file.js';

const SUBCOMMANDS = ['create', 'list', 'delete', 'reap'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

export const command: CliCommand = {
  usage: 'create|list|delete|reap FILE [--learner ID] [--renew] [--out DIR] [--json]',
  description: [
    'Temporary cloud accounts for the course\'s learners (openstack target), each only a credential that',
    'expires with the course labs (course.end plus expiry.grace_hours; a week from now without an end), written as <id>.clouds.yaml (0600) in',
    'the handouts folder. With Keystone\'s admin role, `create` makes per learner a user',
    'resops-<course>-<learner> with the member role in the course\'s project and an application credential',
    'of theirs (the user\'s password is replaced by one nobody keeps); without it, an application credential',
    'resops-<course>-<learner> of your own user restricted to the member role. Learners share the project:',
    'they can see each other\'s servers. `delete` (and a full `down`) removes them; `reap` deletes only',
    'what is over: accounts whose credentials have all expired, that have none left, or whose learner is',
    'no longer in the course file (run it from cron after the class), and keeps the rest.',
  ],
  options: {
    learner: { type: 'string', valueName: 'ID', description: 'only this learner' },
    renew: { type: 'boolean', description: 'create: a new credential even where the learner\'s file still works' },
    out: { type: 'string', valueName: 'DIR', description: 'where the learners\' clouds.yaml files go (default <state dir>/handouts)' },
    json: COMMON_OPTIONS.json,
  },
  positionals: [2, 2],
  notes: ['exit codes: 0 done, 1 a cloud error (a refusal names the missing role), 2 invalid course or flags'],
  async run({ values, positionals }) {
    const [sub, file] = positionals as [string, string];
    if (!SUBCOMMANDS.includes(sub as Subcommand)) throw new UsageError(`accounts ${sub}: unknown subcommand`, 'use `resops accounts create|list|delete|reap FILE`');
    const course = loadCourseArg(file, 'accounts', 'openstack');
    const only = typeof values.learner === 'string' ? values.learner : undefined;
    if (only !== undefined && !course.learners.some((l) => l.id === only)) {
      throw new UsageError(`--learner ${only}: no such learner in ${course.file}`, `learners: ${course.learners.map((l) => l.id).join(', ')}`);
    }
    const dir = outDirArg(values.out) ?? join(privateStateRoot(course), 'handouts');
    const [{ askCloud, connectCourseCloud, courseCloudName }, accounts] = await Promise.all([import('../../targets/course-cloud.js'), import('../../accounts/learner-accounts.js')]);
    const cloud = courseCloudName(course);
    const client = await askCloud(cloud, 'connecting for learner accounts', () => connectCourseCloud(cloud, course.cloud.region));
    const learners = only === undefined ? undefined : [only];
    const progress = (line: string) => printError(line);
    if (sub === 'list') {
      const listed = await accounts.listAccounts(course, client);
      if (values.json === true) print(JSON.stringify({ course: course.id, cloud, accounts: listed }, null, 2));
      else for (const a of listed) print(`${a.learner.padEnd(16)} ${a.user.padEnd(40)} ${a.exists ? `exists (${a.kind === 'credential' ? 'your application credential' : 'user'})` : 'none'}`);
      return EXIT.ok;
    }
    if (sub === 'reap') {
      if (learners) throw new UsageError('accounts reap: --learner does not apply', 'reap looks at every account of the course; `accounts delete --learner ID` deletes one');
      const { reaped, kept } = await accounts.reapAccounts(course, client, { dir, progress });
      if (values.json === true) print(JSON.stringify({ course: course.id, cloud, reaped, kept }, null, 2));
      else {
        for (const r of reaped) print(`${r.learner.padEnd(16)} deleted  ${r.user} (${r.reason})`);
        for (const k of kept) print(`${k.learner.padEnd(16)} kept     ${k.user} (${k.expiresAt ? `valid until ${k.expiresAt}` : 'never expires'})`);
        print(`reaped ${reaped.length} account(s); kept ${kept.length}`);
      }
      return EXIT.ok;
    }
    if (sub === 'delete') {
      const deleted = await accounts.deleteAccounts(course, client, { dir, ...(learners ? { learners } : {}), progress });
      if (values.json === true) print(JSON.stringify({ course: course.id, cloud, deleted }, null, 2));
      else print(`deleted ${deleted.filter((d) => d.deleted).length} account(s); ${deleted.filter((d) => !d.deleted).length} had none`);
      return EXIT.ok;
    }
    const made = await accounts.createAccounts(course, { client, dir, progress, ...(learners ? { learners } : {}), ...(values.renew === true ? { renew: true } : {}) });
    if (values.json === true) print(JSON.stringify({ course: course.id, cloud, cloudName: accounts.accountCloudName(course), accounts: made }, null, 2));
    else {
      for (const a of made) print(`${a.learner.padEnd(16)} ${a.action.padEnd(8)} ${a.file}${a.expiresAt ? ` (until ${a.expiresAt})` : ''}`);
      if (made.some((a) => a.kind === 'credential')) print('note: without Keystone\'s admin role these are application credentials of your own user, member role only: learners act as your user, and Nova records you as the maker of their servers');
      print(`hand each learner their own file (0600); they use it with OS_CLIENT_CONFIG_FILE=<file> OS_CLOUD=${accounts.accountCloudName(course)}`);
      print('note: learners share the course\'s project and can see (not log in to) each other\'s servers');
    }
    return EXIT.ok;
  },
};
