/** Shared by the steps of this exercise: where the learner's stack is and what it synthesizes to. */
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
  if (lab.read('iac', 'main.ts') === undefined) return lab.missing(`there is no ${lab.shown(lab.path('iac', 'main.ts'))}: run \`npx resops exercise reset\` to get the starting stack back`);
  const stack = lab.synthesized(dir).web;
  if (!stack) return lab.missing(`no synthesized stack yet: run \`npx tsx main.ts\` in ${lab.shown(dir)}`);
  return stack;
}

export function resources(stack: Json, type: string): Array<[string, Json]> {
  const all = (stack.resource ?? {}) as Record<string, Record<string, Json>>;
  return Object.entries(all[type] ?? {});
}

/** `${var.learner_name}` replaced by the variable's default, as Terraform would. */
export function resolveVariables(stack: Json, text: string): string {
  const variables = (stack.variable ?? {}) as Record<string, { default?: unknown }>;
  return text.replace(/\$\{var\.([a-z_0-9]+)\}/g, (whole, name: string) => (variables[name]?.default !== undefined ? String(variables[name]!.default) : whole));
}
