/**
 * Every `resops` command, one line each. A command is a module exporting a CliCommand; loading is
 * lazy so `validate` never pays for cdktf or dockerode. To add one: write the module, add a line.
 */
import type { CliCommand } from './command.js';

export interface CommandEntry {
  name: string;
  summary: string;
  /** false: listed in help as "not available yet". */
  available: boolean;
  load: () => Promise<CliCommand>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'validate', summary: 'check a course file and its roster', available: true, load: async () => (await import('./commands/validate.js')).command },
  { name: 'schema', summary: 'print the JSON Schema of the course file, for editors', available: true, load: async () => (await import('./commands/schema.js')).command },
  { name: 'preflight', summary: 'estimate consumption and cost, check the project quota', available: true, load: async () => (await import('./commands/preflight.js')).command },
  { name: 'synth', summary: 'write the Terraform stacks of the course (openstack)', available: true, load: async () => (await import('./commands/synth.js')).command },
  { name: 'plan', summary: 'show what `up` would change', available: true, load: async () => (await import('./commands/target.js')).targetCommand('plan') },
  { name: 'up', summary: 'create or update the course\'s machines and networks', available: true, load: async () => (await import('./commands/target.js')).targetCommand('up') },
  { name: 'down', summary: 'destroy everything the course created', available: true, load: async () => (await import('./commands/target.js')).targetCommand('down') },
  { name: 'status', summary: 'show the course\'s machines and addresses', available: true, load: async () => (await import('./commands/target.js')).targetCommand('status') },
  { name: 'exercise', summary: 'step-by-step exercises for learners: list, start, check, hint, solve, reset, progress', available: true, load: async () => (await import('./commands/exercise.js')).command },
  { name: 'inventory', summary: 'write the Ansible inventory of the course', available: true, load: async () => (await import('./commands/inventory.js')).command },
  { name: 'handout', summary: 'class-day sheets: each learner\'s logins and first commands, and the instructor\'s overview', available: true, load: async () => (await import('./commands/handout.js')).command },
  { name: 'accounts', summary: 'learners\' own temporary cloud accounts (openstack): create, list, delete', available: true, load: async () => (await import('./commands/accounts.js')).command },
  { name: 'dashboard', summary: 'the class live in a browser: progress grid, stuck learners; report tokens for learners', available: true, load: async () => (await import('./commands/dashboard.js')).command },
  { name: 'reap', summary: 'stop or destroy labs past the course\'s end and grace (cron); --cloud finds expired courses by their labels', available: true, load: async () => (await import('./commands/reap.js')).command },
  { name: 'configure', summary: 'configure the machines with Ansible', available: true, load: async () => (await import('./commands/configure.js')).command },
  { name: 'pipeline', summary: 'run the bioinformatics pipeline on the workers, or its scaling experiment', available: true, load: async () => (await import('./commands/pipeline.js')).command },
  { name: 'provider', summary: 'lay out the OpenStack provider as a Terraform filesystem mirror (machines that cannot download it)', available: true, load: async () => (await import('./commands/provider.js')).command },
  { name: 'cloud', summary: 'the rehearsal cloud: a real OpenStack in one container (up, status, down)', available: true, load: async () => (await import('./commands/cloud.js')).command },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
