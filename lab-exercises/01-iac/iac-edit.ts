/** What the solutions (and the wrong attempts) of this exercise do to the learner's main.ts: text edits, then a synth. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Lab } from '../../src/exercises/kit.js';

export function editMain(lab: Lab, edit: (text: string) => string): void {
  const file = lab.path('iac', 'main.ts');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) return;
  writeFileSync(file, after);
}

export async function synth(lab: Lab): Promise<void> {
  const result = await lab.exec('npm', ['run', '--silent', 'synth'], { cwd: lab.path('iac'), timeoutMs: 120_000 });
  if (result.code !== 0) return lab.missing(`\`npm run synth\` failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

/** Sets the variable's default (a TypeScript string literal's content). */
export function setLearnerDefault(lab: Lab, value: string): void {
  editMain(lab, (text) => text.replace(/default: '[^']*', description: 'your learner id/, `default: '${value}', description: 'your learner id`));
}

/** TypeScript expressions for the props of a construct, e.g. `{ portRangeMax: '8081' }`. */
type Props = Record<string, string>;

function construct(type: string, id: string, props: Props): string {
  return `    new ${type}(this, '${id}', {\n${Object.entries(props).map(([k, v]) => `      ${k}: ${v},\n`).join('')}    });\n`;
}

/** The rule of step 2, as the step asks for it unless `overrides` says otherwise. */
export function addRule(lab: Lab, overrides: Props = {}): void {
  const props = { securityGroupId: 'web.id', direction: "'ingress'", ethertype: "'IPv4'", protocol: "'tcp'", portRangeMin: '8080', portRangeMax: '8080', remoteIpPrefix: `'${lab.course.network.cidr}'`, ...overrides };
  editMain(lab, (text) => (text.includes("'http'") ? text : text.replace(/(\n\s*\/\/ Step 2:[^\n]*\n)/, `$1${construct('NetworkingSecgroupRuleV2', 'http', props)}`)));
}

/** The server of step 3, as the step asks for it unless `overrides` says otherwise. */
export function addServer(lab: Lab, overrides: Props = {}): void {
  const props = { name: `\`${lab.course.id}-\${learner.stringValue}-web\``, imageId: 'image.id', flavorId: 'flavor.id', network: '[{ name: network.name }]', securityGroups: '[web.name]', ...overrides };
  editMain(lab, (text) => (text.includes("'server'") ? text : text.replace(/(\n\s*\/\/ Step 3:[^\n]*\n[^\n]*\n)/, `$1${construct('ComputeInstanceV2', 'server', props)}`)));
}
