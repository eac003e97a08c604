/** Builds a course's inventory for its target: from Docker (local) or Terraform outputs (openstack). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Course } from '../course/model.js';
import { adminAccess } from '../access/admin-access.js';
import { TargetError } from '../targets/driver.js';
import { inventoryFromContainers, inventoryFromTerraformOutputs, type Inventory, type SshKeys } from './inventory.js';

export interface BuildOptions {
  keys: SshKeys;
  /**
   * `admin`: every machine as the course's admin user with the automation key (or the
   * instructors' key, `--key`); `learner`: learner VMs as each learner with their own key, as a
   * learner's own playbook logs in. Default: `learner` when learner keys are given, else `admin`.
   */
  login?: 'admin' | 'learner';
  /** openstack: directory of the synthesized stacks (default cdktf.out, like `up`). */
  stacksDir?: string;
  /** openstack: run OpenTofu instead of Terraform. */
  tofu?: boolean;
  /** Progress lines (synthesizing, reading outputs). */
  log?: (line: string) => void;
}

/** `<course dir>/<state dir>/ansible`: the inventory `configure` uses, known_hosts, generated secrets. */
export function ansibleStateDir(course: Pick<Course, 'dir' | 'stateDir'>): string {
  return join(course.dir, course.stateDir, 'ansible');
}

/** Key paths are checked here so a typo fails before any SSH attempt, naming the flag. */
export function checkKeys(keys: SshKeys): SshKeys {
  const checked: SshKeys = {};
  if (keys.default) {
    const path = resolve(keys.default);
    if (!existsSync(path)) throw new TargetError(`--key ${keys.default}: no such file`, 'name the private key file (not the .pub), or set RESOPS_SSH_KEY');
    checked.default = path;
  }
  if (keys.learnerDir) {
    const path = resolve(keys.learnerDir);
    if (!existsSync(path)) throw new TargetError(`--learner-keys ${keys.learnerDir}: no such directory`, 'name a directory holding one private key per learner, named by learner id');
    checked.learnerDir = path;
  }
  return checked;
}

export async function buildInventory(course: Course, options: BuildOptions): Promise<Inventory> {
  const keys = checkKeys(options.keys);
  const log = options.log ?? (() => undefined);
  // Learner keys given mean learner logins: the instructor asked for them by name.
  const asLearner = options.login === 'learner' || (options.login === undefined && keys.learnerDir !== undefined);
  const access = asLearner ? undefined : adminAccess(course);
  const admin = access ? { user: access.user, ...(access.privateKeyFile ? { privateKeyFile: access.privateKeyFile } : {}) } : undefined;
  if (course.target === 'local') {
    const [{ connectDocker }, { listVmContainers }] = await Promise.all([import('../local/docker.js'), import('./collect-local.js')]);
    const { docker } = await connectDocker();
    const containers = await listVmContainers(docker, course);
    return inventoryFromContainers(course, containers, { keys, exists: existsSync, ...(admin ? { admin } : {}) });
  }
  const [{ synthCourse }, { resolveBinary }, { readCourseOutputs }, { terraformEnvironment }] = await Promise.all([
    import('../synth/synthesize.js'),
    import('../terraform/binary.js'),
    import('./collect-openstack.js'),
    import('../terraform/environment.js'),
  ]);
  const binary = resolveBinary(options.tofu ? 'tofu' : 'terraform');
  const terraform = terraformEnvironment(course);
  if (terraform.description) log(terraform.description);
  const outDir = options.stacksDir ?? 'cdktf.out';
  log(`synthesizing ${course.id} into ${outDir} …`);
  const synth = synthCourse(course, outDir);
  log('reading the stacks\' outputs (terraform output -json) …');
  const { outputs, errors } = await readCourseOutputs(synth, binary, terraform.env);
  const inventory = inventoryFromTerraformOutputs(course, outputs, {
    keys,
    ...(admin ? { admin } : {}),
    knownHostsFile: join(ansibleStateDir(course), 'known_hosts'),
    exists: existsSync,
  });
  inventory.warnings.unshift(...errors);
  return inventory;
}
