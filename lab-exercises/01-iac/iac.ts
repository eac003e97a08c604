/** Shared by the steps of this exercise: where the learner's stack is and what it synthesizes to. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../../src/exercises/kit.js';

export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

export function templateValues(lab: Lab, constructsImport: string): Record<string, string> {
  return {
    CONSTRUCTS: constructsImport.startsWith('.') ? constructsImport : `./${constructsImport}`,
    CLOUD: lab.course.cloud.name,
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
