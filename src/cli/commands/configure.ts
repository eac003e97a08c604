/** `resops configure`: runs playbooks/site.yml over the course's inventory and sums up per host. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ansibleStateDir, buildInventory } from '../../ansible/build.js';
import { renderInventory } from '../../ansible/inventory.js';
import { limitPattern, limitSelects, parseLimit } from '../../ansible/limit.js';
import { runVars } from '../../ansible/run-vars.js';
import { waitForScrapes } from '../../local/checks.js';
import { gnocchiAdmin } from '../../access/gnocchi-users.js';
import { scrapeIntervalSeconds } from '../../local/monitoring-files.js';
import { formatEvent, formatRecap, runPlaybook } from '../../ansible/runner.js';
import { TargetError } from '../../targets/driver.js';
import { formatSeconds } from '../table.js';
import { EXIT, print, printError, type CliCommand } from '../command.js';
import { loadCourseArg, outDirArg, parseTarget } from '../course-file.js';
import { ANSIBLE_OPTIONS, keysArg } from './inventory.js';

export const command: CliCommand = {
  usage: 'FILE [--limit WHO] [--target T] [--key FILE] [--learner-keys DIR] [--stacks DIR] [--tofu] [--json]',
  description: [
    'Configures every machine of the course with Ansible (playbooks/site.yml): learner user, SSH',
    'hardening, node-exporter and Docker on learner VMs; Prometheus, Alertmanager, Pushgateway and',
    'Gnocchi on the monitoring host; pipeline workers. Runs the host\'s ansible-playbook, or the',
    'resops/toolbox image when Ansible is not installed. Progress (per task and host) goes to',
    'stderr; the per-host summary (ok/changed/failed) to stdout. The inventory used is kept in the',
    'course\'s state directory (ansible/inventory.yml).',
  ],
  options: {
    ...ANSIBLE_OPTIONS,
    limit: { type: 'string', valueName: 'WHO', description: 'only these machines: learner ids (their VMs), `monitoring`, `workers`, separated by commas' },
    json: { type: 'boolean', description: 'print the summary as JSON on stdout' },
  },
  positionals: [1, 1],
  notes: ['exit codes: 0 every host configured, 1 a host failed or was unreachable (or no host), 2 invalid course or flags'],
  async run({ values, positionals }) {
    const course = loadCourseArg(positionals[0], 'configure', parseTarget(values.target));
    const limitText = typeof values.limit === 'string' ? values.limit : undefined;
    const limit = limitText === undefined ? undefined : parseLimit(limitText, course);
    const stacks = outDirArg(values.stacks);
    const started = Date.now();
    const log = (line: string) => printError(`[${formatSeconds(Date.now() - started).padStart(6)}] ${line}`);
    const inventory = await buildInventory(course, {
      keys: keysArg(values),
      ...(stacks ? { stacksDir: stacks } : {}),
      ...(values.tofu === true ? { tofu: true } : {}),
      log,
    });
    for (const warning of inventory.warnings) log(`warning: ${warning}`);
    const selected = limit ? inventory.hosts.filter((h) => limitSelects(limit, h)) : inventory.hosts;
    if (!selected.length) {
      throw new TargetError(
        `course ${course.id}: no host to configure${limitText ? ` for --limit ${limitText}` : ''}`,
        course.target === 'local' ? `bring the course up first: \`resops up ${course.file}\`` : `deploy it first (\`resops up ${course.file}\`), then check \`resops status\``,
      );
    }

    const stateDir = ansibleStateDir(course);
    const inventoryFile = join(stateDir, 'inventory.yml');
    mkdirSync(dirname(inventoryFile), { recursive: true, mode: 0o700 });
    writeFileSync(inventoryFile, renderInventory(inventory));
    const vars = await runVars(course, { progress: log });
    const keyFiles = [...new Set(inventory.hosts.map((h) => h.vars.ansible_ssh_private_key_file).filter((k): k is string => typeof k === 'string'))];
    log(`configuring ${selected.length} host${selected.length === 1 ? '' : 's'} of ${course.id} (inventory ${inventoryFile})`);

    const run = await runPlaybook({
      inventoryFile,
      ...(limit ? { limit: limitPattern(limit) } : {}),
      vars,
      mounts: [stateDir, ...keyFiles],
      onEvent: (event) => {
        const line = formatEvent(event);
        if (line) log(line);
      },
      onPrepare: (message) => log(message),
    });

    // Configured means monitored: the local Prometheus has scraped every configured VM since
    // node-exporter's restart (two scrape intervals at most, then a warning, not a failure).
    let scrapedDown: string[] | undefined;
    if (run.ok && course.target === 'local' && course.monitoring.enabled) {
      const instances = selected.filter((h) => h.group === 'learners').map((h) => `${h.name}:9100`);
      if (instances.length) {
        const interval = scrapeIntervalSeconds();
        log(`waiting for Prometheus to scrape ${instances.length} node-exporter${instances.length === 1 ? '' : 's'} (every ${interval} s)`);
        const waited = await waitForScrapes(course.local.ports.prometheus, gnocchiAdmin(course), instances, (2 * interval + 5) * 1000);
        scrapedDown = waited.down;
        if (waited.down.length) log(`warning: Prometheus does not see ${waited.down.join(', ')} up${waited.error ? ` (${waited.error})` : ''}; \`resops status ${course.file}\` says more`);
        else log(`Prometheus scrapes all ${instances.length}`);
      }
    }

    const summary = {
      course: course.id,
      target: course.target,
      ok: run.ok,
      exitCode: run.code,
      ranIn: run.where,
      elapsedSeconds: run.elapsedMs / 1000,
      hosts: run.recap,
      failures: run.failures,
      ...(scrapedDown ? { notScraped: scrapedDown } : {}),
    };
    if (values.json) {
      print(JSON.stringify(summary, null, 2));
    } else {
      print(`course ${course.id}: ${run.ok ? 'configured' : 'NOT configured'} in ${formatSeconds(run.elapsedMs)} (ansible-playbook on the ${run.where === 'host' ? 'host' : 'toolbox image'})`);
      print();
      for (const line of formatRecap(run.recap)) print(line);
      if (run.failures.length) {
        print();
        print('failures:');
        for (const f of run.failures) print(`  ${f.host}: ${f.task}: ${f.status}${f.message ? ` — ${f.message}` : ''}`);
      }
      if (!run.recap.length) print(`ansible-playbook exited with ${run.code} before its recap; see the lines above`);
    }
    return run.ok ? EXIT.ok : EXIT.failure;
  },
};
