/** Shared by the steps of this exercise: where the learner's stack is and what it synthesizes to. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { effectiveCloudName } from '../../src/openstack/cloud-config.js';
import type { Lab } from '../../src/exercises/kit.js';

export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

export function templateValues(lab: Lab, constructsImport: string): Record<string, string> {
  return {
    CONSTRUCTS: constructsImport.startsWith('.') ? constructsImport : `./${constructsImport}`,
    // The cloud Terraform will use: OS_CLOUD when it names one, as the toolkit's own stacks do.
    CLOUD: effectiveCloudName(lab.course.cloud.name),
    PUBLIC_KEY: lab.learner.sshPublicKey.trim(),
    SSH_CIDRS: JSON.stringify(lab.course.cloud.sshAllowedCidrs).replaceAll('"', "'").replaceAll(',', ', '),
    EXTERNAL: lab.course.cloud.externalNetwork,
    IMAGE: lab.course.cloud.image,
    FLAVOR: lab.course.cloud.flavors.learner.name,
    NETWORK: lab.name('net'),
    COURSE: lab.course.id,
    CIDR: lab.course.network.cidr,
  };
}

export type Json = Record<string, unknown>;

/** The `web` stack as synthesized; the check ends with what to run when there is none. */
export function webStack(lab: Lab): Json {
  const dir = lab.path('iac');
  if (lab.read('iac', 'main.ts') === undefined) return lab.missing(`there is no ${lab.shown(lab.path('iac', 'main.ts'))}: run \`${lab.command('exercise reset')}\` to get the starting stack back`);
  const stack = lab.synthesized(dir).web;
  if (!stack) return lab.missing(`no synthesized stack yet: run \`npm run synth\` in ${lab.shown(dir)}`);
  // What Terraform would apply is the synthesized JSON: an edit not synthesized yet is not there.
  const source = statSync(lab.path('iac', 'main.ts')).mtimeMs;
  const synthesized = statSync(join(dir, 'cdktf.out', 'stacks', 'web', 'cdk.tf.json')).mtimeMs;
  if (source > synthesized) return lab.missing(`main.ts changed after your last synth, so cdktf.out/stacks/web/cdk.tf.json is out of date: run \`npm run synth\` in ${lab.shown(dir)}`);
  return stack;
}

export function resources(stack: Json, type: string): Array<[string, Json]> {
  const all = (stack.resource ?? {}) as Record<string, Record<string, Json>>;
  return Object.entries(all[type] ?? {});
}

/** A reference to another resource's attribute, as CDKTF writes it in the JSON. */
export const ref = (address: string) => `\${${address}}`;

/** `${var.learner_name}` replaced by the variable's default, as Terraform would. */
export function resolveVariables(stack: Json, text: string): string {
  const variables = (stack.variable ?? {}) as Record<string, { default?: unknown }>;
  return text.replace(/\$\{var\.([a-z_0-9]+)\}/g, (whole, name: string) => (variables[name]?.default !== undefined ? String(variables[name]!.default) : whole));
}

/** Where Terraform runs the learner's stack: the synthesized stack's folder. */
export const stackDir = (lab: Lab) => lab.path('iac', 'cdktf.out', 'stacks', 'web');

export interface AppliedServer {
  id: string;
  name: string;
  /** The stack's output `address`: the floating IP, as the learner reads it. */
  address: string;
  created: Date;
}

/**
 * The server the learner's applied stack made, as its state and the cloud both see it; the
 * check ends saying what is missing when the stack is not applied or the cloud disagrees.
 */
export async function appliedServer(lab: Lab): Promise<AppliedServer> {
  const dir = stackDir(lab);
  const { stack, problem } = await lab.appliedStack(dir);
  if (!stack) return lab.missing(problem ?? 'Terraform could not read your stack');
  const server = stack.resources.find((r) => r.type === 'openstack_compute_instance_v2');
  if (!server) return lab.missing(`your stack has made no server yet (its state in ${lab.shown(dir)} holds none): run \`terraform apply\` there`);
  const id = String(server.values.id);
  const address = stack.outputs.address;
  if (typeof address !== 'string' || !address) return lab.missing('your state has no output `address`: run `terraform apply` again (step 4 added it)');
  const live = await lab.cloudServerById(id);
  if (!live) return lab.missing(`the server in your state, ${id}, is not in the cloud any more: run \`terraform apply\` to make your stack real again`);
  if (live.status !== 'ACTIVE') return lab.missing(`${live.name} (${id}) is ${live.status}, not ACTIVE`);
  if (!live.floating.includes(address)) return lab.missing(`output address ${address} is not ${live.name}'s floating IP (it has ${live.floating.join(', ') || 'none'}): run \`terraform apply\` again`);
  return { id, name: live.name, address, created: live.created };
}

/** What answers SSH at the server's address, as the image's user with the learner's key: its instance ID. */
export async function instanceIdAt(lab: Lab, server: Pick<AppliedServer, 'id' | 'address'>): Promise<string> {
  const user = lab.course.cloud.imageUser;
  const { address } = server;
  // Host keys are remembered per server (its ID): a re-created server is a new host, whatever its address.
  const read = await lab.sshAt(address, user, 'cat /var/lib/cloud/data/instance-id', { hostKeyAlias: server.id });
  if (read.code !== 0) return lab.missing(`logged in to ${user}@${address}, but could not read /var/lib/cloud/data/instance-id: ${read.stderr.trim() || `exit ${read.code}`}`);
  return read.stdout.trim();
}

/** Waits (bounded) until the server lets the image's user in: an apply returns once Nova says ACTIVE. */
export async function waitForLogin(lab: Lab, server: Pick<AppliedServer, 'id' | 'address'>): Promise<void> {
  await lab.waitForLogin(server.address, () => instanceIdAt(lab, server));
}
