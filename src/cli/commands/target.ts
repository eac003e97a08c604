/** plan / up / down / status: the same flags, delegated to the target's driver. */
import type { CommandOptions, TargetDriver } from '../../targets/driver.js';
import { DEFAULT_CONCURRENCY } from '../../terraform/runner.js';
import { describeExpiry } from '../../course/expiry.js';
import { COMMON_OPTIONS, printError, UsageError, type CliCommand } from '../command.js';
import { loadCourseArg, outDirArg, parseTarget } from '../course-file.js';
import { driverFor } from '../drivers.js';

export type TargetAction = keyof TargetDriver;

const DESCRIPTIONS: Record<TargetAction, string[]> = {
  plan: [
    'Shows what `up` would change. openstack: synthesizes the stacks and runs `terraform plan` in each;',
    'the summary says per stack what would be added, changed or destroyed, and names stacks of',
    'learners no longer in the course file.',
  ],
  up: [
    'Creates or updates everything the course needs. openstack: synthesizes the stacks, then',
    '`terraform init` + `apply` per stack: network, then the learner stacks (4 at a time), then',
    'monitoring and pipeline. A failed learner stack does not stop the others; stacks that need a',
    'failed one are skipped. Ends with a summary table of what each stack changed ("no changes" when',
    'everything already matches). Before creating anything it checks that the new stacks fit the',
    'project\'s quota (exit 3 naming each exceeded limit; --force applies anyway). Stacks of learners',
    'no longer in the course file are named and left alone; --prune destroys them. --learner ID applies',
    'that learner\'s stack alone (local: their VMs); the course\'s shared parts are made when missing and',
    'otherwise left as they are, other learners\' labs are not touched. With --rebuild the learner\'s',
    'stack is destroyed and applied anew. Ctrl-C lets running',
    'terraform steps finish and save their state; a killed run\'s terraform finishes on its own and the',
    'next run waits for it.',
  ],
  down: [
    'Destroys everything the course created, in exactly the reverse order of `up`. openstack: stacks',
    'that were never applied (no state file) are skipped; then the leak check lists everything left in',
    'the project that carries the course\'s label or name prefix and exits 1 if anything is. --sweep',
    'deletes those leftovers in dependency order (progress on stderr) and checks again. --learner ID',
    'destroys that learner\'s stack alone (also one no longer in the course file; local: their VMs and',
    'network) and checks for their leftovers; nothing shared and no other learner is touched.',
  ],
  status: [
    'Shows the course\'s machines and addresses. openstack: the outputs of each learner stack, then',
    'each learner\'s servers as the cloud reports them (status, fixed and floating addresses), then',
    'each server\'s health (SSH on its floating IP, its node-exporter scraped by the monitoring host\'s',
    'Prometheus). Exit 1 when something is unhealthy or cannot be asked.',
  ],
};

export function targetCommand(action: TargetAction): CliCommand {
  return {
    usage: `FILE [--target T] [--tofu] [--json] [--out DIR]${action === 'status' ? ' [--learner ID]' : action === 'up' ? ' [--learner ID [--rebuild]] [--prune] [--force]' : action === 'down' ? ' [--learner ID] [--sweep]' : ' [--learner ID]'}`,
    description: DESCRIPTIONS[action],
    options: {
      target: COMMON_OPTIONS.target,
      tofu: COMMON_OPTIONS.tofu,
      json: COMMON_OPTIONS.json,
      out: COMMON_OPTIONS.out,
      ...(action === 'status' ? {} : { parallel: { type: 'string', valueName: 'N', description: `openstack: stacks terraform works on at once (default ${DEFAULT_CONCURRENCY})` } }),
      learner: { type: 'string', valueName: 'ID', description: action === 'status' ? 'only this learner' : 'only this learner\'s machines (openstack: their stack)' },
      ...(action === 'up'
        ? {
            rebuild: { type: 'boolean', description: 'openstack, with --learner: destroy the learner\'s stack, then apply it anew' },
            prune: { type: 'boolean', description: 'openstack: destroy stacks of learners no longer in the course file' },
            force: { type: 'boolean', description: 'openstack: apply even when the project quota looks too small' },
          }
        : {}),
      ...(action === 'down'
        ? {
            images: { type: 'boolean', description: 'local: also remove the images the toolkit built' },
            sweep: { type: 'boolean', description: 'openstack: delete leftovers the leak check finds after destroy' },
          }
        : {}),
    },
    positionals: [1, 1],
    notes: [
      action === 'down'
        ? 'exit codes: 0 ok and nothing left, 1 a stack failed, leftovers remain or the cloud could not be asked, 2 invalid course or flags'
        : action === 'up'
          ? 'exit codes: 0 ok, 1 a stack or step failed, 2 invalid course or flags, 3 the project quota is too small (nothing created)'
          : 'exit codes: 0 ok, 1 a stack or step failed, 2 invalid course or flags',
    ],
    async run({ values, positionals }) {
      const course = loadCourseArg(positionals[0], action, parseTarget(values.target));
      if (action === 'status' || action === 'up') {
        // On stderr: --json output stays one document, and cron mails the warning.
        const expiry = describeExpiry(course);
        if (expiry.warn) printError(`warning: ${expiry.line}`);
      }
      const driver = await driverFor(course.target);
      const options: CommandOptions = { json: values.json === true };
      if (values.tofu === true) options.tofu = true;
      const outDir = outDirArg(values.out);
      if (outDir) options.outDir = outDir;
      if (typeof values.learner === 'string') options.learner = values.learner;
      if (values.images === true) options.images = true;
      if (values.sweep === true) options.sweep = true;
      if (values.rebuild === true) options.rebuild = true;
      if (values.prune === true) options.prune = true;
      if (values.force === true) options.force = true;
      if (typeof values.parallel === 'string') {
        const parallel = Number(values.parallel);
        if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel ${values.parallel}: expected a whole number of stacks, 1 or more`);
        options.concurrency = parallel;
      }
      return driver[action](course, options);
    },
  };
}
