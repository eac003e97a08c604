/** `resops inventory`: the course's Ansible inventory, from Docker (local) or Terraform outputs (openstack). */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildInventory } from '../../ansible/build.js';
import { inventoryJson, renderInventory, type SshKeys } from '../../ansible/inventory.js';
import { COMMON_OPTIONS, EXIT, printError, UsageError, type CliCommand, type OptionSpec, type OptionValues } from '../command.js';
import { loadCourseArg, outDirArg, parseTarget } from '../course-file.js';

/** Flags shared with `configure`. */
export const ANSIBLE_OPTIONS = {
  target: COMMON_OPTIONS.target,
  key: { type: 'string', valueName: 'FILE', description: 'private key Ansible logs in with (default: $RESOPS_SSH_KEY; its path goes in the inventory, never its content)' },
  'learner-keys': { type: 'string', valueName: 'DIR', description: 'directory of private keys named by learner id, for learner VMs (default: $RESOPS_LEARNER_KEYS)' },
  stacks: { type: 'string', valueName: 'DIR', description: 'openstack: directory of the synthesized stacks (default cdktf.out)' },
  tofu: COMMON_OPTIONS.tofu,
} as const satisfies Record<string, OptionSpec>;

export function keysArg(values: OptionValues): SshKeys {
  const key = typeof values.key === 'string' ? values.key : process.env.RESOPS_SSH_KEY;
  const learnerDir = typeof values['learner-keys'] === 'string' ? values['learner-keys'] : process.env.RESOPS_LEARNER_KEYS;
  if (values.key === '' || values['learner-keys'] === '') throw new UsageError('--key / --learner-keys: empty path', 'name a file / directory');
  return { ...(key ? { default: key } : {}), ...(learnerDir ? { learnerDir } : {}) };
}

export const command: CliCommand = {
  usage: 'FILE [--target T] [--out FILE] [--json] [--as-learner] [--learner ID] [--key FILE] [--learner-keys DIR] [--stacks DIR] [--tofu]',
  description: [
    'Writes the Ansible inventory of the course: groups learners, monitoring and workers, one group',
    'learner_<id> per learner, and per host ansible_host, ansible_port, ansible_user and the path of',
    'the private key: the course\'s admin user with the automation key in the state directory (or',
    'your --key when the course names cloud.admin_ssh_public_key). local: from the course\'s running',
    'containers (SSH on 127.0.0.1). openstack:',
    'from `terraform output -json` of each deployed stack (workers through the monitoring host).',
    'Without --out the inventory goes to stdout.',
  ],
  options: {
    ...ANSIBLE_OPTIONS,
    out: { type: 'string', valueName: 'FILE', description: 'write the inventory to FILE instead of stdout' },
    'as-learner': { type: 'boolean', description: 'learner VMs as each learner with their own key (--key / --learner-keys), as a learner\'s own inventory; default: every machine as the course\'s admin user with its automation key' },
    learner: { type: 'string', valueName: 'ID', description: 'only this learner\'s VMs: a learner\'s own inventory (with --as-learner) names no classmate\'s machine' },
    json: { type: 'boolean', description: 'print the inventory as JSON (hosts, groups, variables, warnings)' },
  },
  positionals: [1, 1],
  notes: ['exit codes: 0 written (warnings on stderr), 1 nothing to reach (no host) or a target error, 2 invalid course or flags'],
  async run({ values, positionals }) {
    const course = loadCourseArg(positionals[0], 'inventory', parseTarget(values.target));
    const keys = keysArg(values);
    const stacks = outDirArg(values.stacks);
    const out = typeof values.out === 'string' ? values.out : undefined;
    if (out !== undefined && existsSync(out) && statSync(out).isDirectory()) {
      throw new UsageError(`--out ${out}: is a directory`, 'name the inventory file to write, e.g. --out inventory.yml');
    }
    const only = typeof values.learner === 'string' ? values.learner : undefined;
    if (only !== undefined && !course.learners.some((l) => l.id === only)) {
      throw new UsageError(`--learner ${only}: no such learner in ${course.file}`, `learners: ${course.learners.map((l) => l.id).join(', ')}`);
    }
    const built = await buildInventory(course, {
      keys,
      ...(values['as-learner'] === true ? { login: 'learner' as const } : {}),
      ...(stacks ? { stacksDir: stacks } : {}),
      ...(values.tofu === true ? { tofu: true } : {}),
      log: (line) => printError(line),
    });
    const inventory = only === undefined ? built : { ...built, hosts: built.hosts.filter((h) => h.learner === only) };
    for (const warning of inventory.warnings) printError(`warning: ${warning}`);
    const text = values.json ? `${JSON.stringify(inventoryJson(inventory), null, 2)}\n` : renderInventory(inventory);
    if (out) {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      printError(`${out}: ${inventory.hosts.length} host${inventory.hosts.length === 1 ? '' : 's'} of course ${course.id} (target ${course.target})`);
    } else {
      process.stdout.write(text);
    }
    if (!inventory.hosts.length) {
      printError(`course ${course.id}: no host to configure (see the warnings above)`);
      return EXIT.failure;
    }
    return EXIT.ok;
  },
};
