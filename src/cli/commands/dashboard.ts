/** `resops dashboard tokens|serve FILE`: the instructor's live view of the class. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Course } from '../../course/model.js';
import { privateStateRoot } from '../../course/private-state.js';
import { COMMON_OPTIONS, EXIT, print, printError, UsageError, type CliCommand } from '../command.js';
import { loadCourseArg, outDirArg } from '../course-file.js';

const SUBCOMMANDS = ['tokens', 'serve'] as const;
export const DEFAULT_PORT = 8088;

function wholeNumber(flag: string, value: unknown, min: number, max: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} ${value}: expected a whole number from ${min} to ${max}`);
  return n;
}

export const command: CliCommand = {
  usage: 'tokens|serve FILE [--host H] [--port N] [--token-file F] [--url URL] [--learner ID] [--renew] [--out DIR] [--stuck-checks N] [--stuck-minutes M] [--health-seconds S] [--json]',
  description: [
    '`serve` shows the class live in a browser: one row per learner, one cell per exercise step (done,',
    'done by solve, in progress, not started; hints used), learners who are stuck flagged (the same',
    'check failing --stuck-checks times in a row, default 3, or no progress for --stuck-minutes, default',
    '20). It listens on 127.0.0.1 unless --host is given; then every page and API call needs the viewer',
    'token, printed once at start or read from --token-file. Every viewer route only reads. Learners\'',
    '`resops exercise` commands report to it from wherever they work, each with their own token:',
    '`tokens` makes them (<id>.dashboard.json, 0600, in the handouts folder and in the learner\'s exercise',
    'state here; --url is the address learners reach the dashboard at). Reports are queued on the',
    'learner\'s side while the dashboard is down, and kept once and in order when it is back; its',
    'record (<state dir>/dashboard/events.jsonl) survives a restart. Above the grid: each learner\'s machines',
    '(SSH, node-exporter scraped; red when down), the shared services, alerts firing in Prometheus, the',
    'course\'s dates and expiry, and on openstack the cost so far against the budget.',
  ],
  options: {
    host: { type: 'string', valueName: 'H', description: 'serve: address to listen on (default 127.0.0.1; anything else needs the viewer token)' },
    port: { type: 'string', valueName: 'N', description: `serve: port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    'token-file': { type: 'string', valueName: 'F', description: 'serve: the viewer token, from this file (default: a new one, printed once)' },
    url: { type: 'string', valueName: 'URL', description: `tokens: where learners reach the dashboard (default http://127.0.0.1:${DEFAULT_PORT})` },
    learner: { type: 'string', valueName: 'ID', description: 'tokens: only this learner' },
    renew: { type: 'boolean', description: 'tokens: new tokens even where a learner\'s file still holds a valid one' },
    out: { type: 'string', valueName: 'DIR', description: 'tokens: where the learners\' files go (default <state dir>/handouts)' },
    'stuck-checks': { type: 'string', valueName: 'N', description: 'serve: failed checks in a row that flag a learner stuck (default 3)' },
    'stuck-minutes': { type: 'string', valueName: 'M', description: 'serve: minutes without progress that flag a learner stuck (default 20)' },
    'health-seconds': { type: 'string', valueName: 'S', description: 'serve: how often the machines, alerts and cost are asked (default 10)' },
    json: COMMON_OPTIONS.json,
  },
  positionals: [2, 2],
  notes: ['exit codes: 0 done (serve: stopped by Ctrl-C or SIGTERM), 1 the port cannot be used, 2 invalid course or flags'],
  async run({ values, positionals }) {
    const [sub, file] = positionals as [string, string];
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`dashboard ${sub}: unknown subcommand`, 'use `resops dashboard tokens|serve FILE`');
    const course = loadCourseArg(file, 'dashboard');
    const { exercisesStateDir } = await import('../../exercises/progress.js');
    if (sub === 'tokens') {
      const only = typeof values.learner === 'string' ? values.learner : undefined;
      if (only !== undefined && !course.learners.some((l) => l.id === only)) throw new UsageError(`--learner ${only}: no such learner in ${course.file}`, `learners: ${course.learners.map((l) => l.id).join(', ')}`);
      const url = typeof values.url === 'string' ? values.url : `http://127.0.0.1:${DEFAULT_PORT}`;
      if (!/^https?:\/\/[^\s/]+\/?$/.test(url)) throw new UsageError(`--url ${url}: expected scheme, host and port, e.g. http://10.0.0.5:${DEFAULT_PORT}`);
      const { ensureLearnerTokens } = await import('../../dashboard/tokens.js');
      const handouts = outDirArg(values.out) ?? join(privateStateRoot(course), 'handouts');
      const made = ensureLearnerTokens(course, { url, handouts, exercisesDir: exercisesStateDir(course), ...(only ? { only } : {}), renew: values.renew === true });
      // Files and actions only: the tokens themselves never reach the terminal or its logs.
      if (values.json === true) print(JSON.stringify({ course: course.id, url, learners: made }, null, 2));
      else {
        for (const m of made) print(`${m.learner.padEnd(16)} ${m.action.padEnd(5)} ${m.file}`);
        print(`give each learner their own file; they put it at .resops/${course.id}/exercises/<id>/dashboard.json of their checkout (or point RESOPS_DASHBOARD_FILE at it)`);
      }
      return EXIT.ok;
    }
    return serveDashboard(course, values, exercisesStateDir(course));
  },
};

async function serveDashboard(course: Course, values: Record<string, unknown>, exercisesDir: string): Promise<number> {
  const [{ EventStore }, server, tokens, { exercisesFor, loadCatalog }, { DEFAULT_STUCK }, { localHealth, openstackHealth }] = await Promise.all([
    import('../../dashboard/event-store.js'),
    import('../../dashboard/server.js'),
    import('../../dashboard/tokens.js'),
    import('../../exercises/catalog.js'),
    import('../../dashboard/class-view.js'),
    import('../../dashboard/health.js'),
  ]);
  const healthSeconds = wholeNumber('health-seconds', values['health-seconds'], 2, 3600) ?? 10;
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  const port = wholeNumber('port', values.port, 0, 65535) ?? DEFAULT_PORT;
  const stuck = {
    failedChecks: wholeNumber('stuck-checks', values['stuck-checks'], 1, 1000) ?? DEFAULT_STUCK.failedChecks,
    idleMinutes: wholeNumber('stuck-minutes', values['stuck-minutes'], 1, 10_000) ?? DEFAULT_STUCK.idleMinutes,
  };
  let viewerToken: string | undefined;
  if (typeof values['token-file'] === 'string') {
    const tokenFile = values['token-file'];
    if (!existsSync(tokenFile)) throw new UsageError(`--token-file ${tokenFile}: no such file`);
    viewerToken = readFileSync(tokenFile, 'utf8').trim();
    if (viewerToken.length < 16) throw new UsageError(`--token-file ${tokenFile}: the token must be at least 16 characters`);
  } else if (!server.isLoopbackHost(host)) {
    viewerToken = tokens.newToken();
  }
  const store = EventStore.open(join(tokens.dashboardDir(course), 'events.jsonl'));
  const { app, close } = server.dashboardApp({
    course,
    exercises: exercisesFor(loadCatalog(), course.target),
    store,
    exercisesDir,
    // Read on each report: `dashboard tokens` may run while the dashboard does.
    tokenHashes: () => tokens.readTokenHashes(course),
    ...(viewerToken !== undefined ? { viewerToken } : {}),
    stuck,
    health: course.target === 'local' ? localHealth(course) : openstackHealth(course),
    healthEveryMs: healthSeconds * 1000,
  });
  let listening: Awaited<ReturnType<typeof server.listen>>;
  try {
    listening = await server.listen(app, host, port);
  } catch (error) {
    printError(`dashboard: cannot listen on ${host}:${port}: ${(error as Error).message}`);
    return EXIT.failure;
  }
  const shown = viewerToken !== undefined && typeof values['token-file'] !== 'string' ? `${listening.url}/?token=${viewerToken}` : listening.url;
  if (values.json === true) print(JSON.stringify({ course: course.id, url: listening.url, events: store.all().length, viewerTokenRequired: viewerToken !== undefined }));
  else {
    print(`dashboard of ${course.id}: ${shown}`);
    if (viewerToken !== undefined && typeof values['token-file'] !== 'string') print('the token in this URL is shown once: anyone with it sees the class (names and progress)');
    print(`${store.all().length} event(s) on record; Ctrl-C stops it`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  close();
  // Open event streams would hold close() for ever.
  const http = listening.server as Server;
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  http.closeAllConnections();
  await closed;
  return EXIT.ok;
}
