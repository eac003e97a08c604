/** plan / up / down / status: the same flags, delegated to the target's driver. */
import type { CommandOptions, TargetDriver } from '../../targets/driver.js';
import { COMMON_OPTIONS, type CliCommand } from '../command.js';
import { loadCourseArg, outDirArg, parseTarget } from '../course-file.js';
import { driverFor } from '../drivers.js';

export type TargetAction = keyof TargetDriver;

const DESCRIPTIONS: Record<TargetAction, string[]> = {
  plan: ['Shows what `up` would change. openstack: synthesizes the stacks and runs `terraform plan` in each.'],
  up: [
    'Creates or updates everything the course needs. openstack: synthesizes the stacks, then',
    '`terraform init` + `apply` per stack: network, then the learner stacks (4 at a time), then',
    'monitoring and pipeline. A failed learner stack does not stop the others; stacks that need a',
    'failed one are skipped. Ends with a summary table.',
  ],
  down: [
    'Destroys everything the course created, in exactly the reverse order of `up`. openstack: stacks',
    'that were never applied (no state file) are skipped; then the leak check lists everything left in',
    'the project that carries the course\'s label or name prefix and exits 1 if anything is. --sweep',
    'deletes those leftovers in dependency order (progress on stderr) and checks again.',
  ],
  status: [
    'Shows the course\'s machines and addresses. openstack: the outputs of each learner stack, then',
    'each learner\'s servers as the cloud reports them (status, fixed and floating addresses).',
  ],
};

export function targetCommand(action: TargetAction): CliCommand {
  return {
    usage: 'FILE [--target T] [--tofu] [--json] [--out DIR]',
    description: DESCRIPTIONS[action],
    options: {
      target: COMMON_OPTIONS.target,
      tofu: COMMON_OPTIONS.tofu,
      json: COMMON_OPTIONS.json,
      out: COMMON_OPTIONS.out,
      ...(action === 'status' ? { learner: { type: 'string', valueName: 'ID', description: 'only this learner' } } : {}),
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
        : 'exit codes: 0 ok, 1 a stack or step failed, 2 invalid course or flags',
    ],
    async run({ values, positionals }) {
      const course = loadCourseArg(positionals[0], action, parseTarget(values.target));
      const driver = await driverFor(course.target);
      const options: CommandOptions = { json: values.json === true };
      if (values.tofu === true) options.tofu = true;
      const outDir = outDirArg(values.out);
      if (outDir) options.outDir = outDir;
      if (typeof values.learner === 'string') options.learner = values.learner;
      if (values.images === true) options.images = true;
      if (values.sweep === true) options.sweep = true;
      return driver[action](course, options);
    },
  };
}
