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

/** `new Type(this, 'id', {…});`, kept in `name` when given (`const name = new …`). */
function construct(type: string, id: string, props: Props, name?: string): string {
  return `    ${name ? `const ${name} = ` : ''}new ${type}(this, '${id}', {\n${Object.entries(props).map(([k, v]) => `      ${k}: ${v},\n`).join('')}    });\n`;
}

/** Inserts `code` after the comment of step `n` (its `lines` lines), once: `marker` says it is there. */
function afterStepComment(lab: Lab, n: number, lines: number, marker: string, code: string): void {
  const comment = new RegExp(`(\\n\\s*\\/\\/ Step ${n}:[^\\n]*\\n${'[^\\n]*\\n'.repeat(lines - 1)})`);
  editMain(lab, (text) => (text.includes(marker) ? text : text.replace(comment, `$1${code}`)));
}

/** The rule of step 2, as the step asks for it unless `overrides` says otherwise. */
export function addRule(lab: Lab, overrides: Props = {}): void {
  const props = { securityGroupId: 'web.id', direction: "'ingress'", ethertype: "'IPv4'", protocol: "'tcp'", portRangeMin: '8080', portRangeMax: '8080', remoteIpPrefix: `'${lab.course.network.cidr}'`, ...overrides };
  afterStepComment(lab, 2, 1, "'http'", construct('NetworkingSecgroupRuleV2', 'http', props));
}

/**
 * The key pair, the port and the server of step 3, as the step asks for them unless `overrides`
 * (the server's props), `keyOverrides` or `portOverrides` say otherwise; `keyPair: null` leaves
 * the key pair out.
 */
export function addServer(lab: Lab, overrides: Partial<Record<string, string | null>> = {}, keyOverrides: Props = {}, portOverrides: Props = {}): void {
  const name = `\`${lab.course.id}-\${learner.stringValue}-web\``;
  const props: Record<string, string | null> = { name, imageId: 'image.id', flavorId: 'flavor.id', keyPair: 'key.name', network: '[{ port: port.id }]', ...overrides };
  const given = Object.fromEntries(Object.entries(props).filter((e): e is [string, string] => e[1] !== null));
  const key = props.keyPair === null ? '' : construct('ComputeKeypairV2', 'key', { name, publicKey: 'sshKey.stringValue', ...keyOverrides }, 'key');
  const port = construct('NetworkingPortV2', 'port', { name, networkId: 'network.id', securityGroupIds: '[web.id]', ...portOverrides }, 'port');
  afterStepComment(lab, 3, 3, "'server'", `${key}${port}${construct('ComputeInstanceV2', 'server', given, 'server')}`);
}

/** The floating IP, its association and the output of step 4, as the step asks for them unless overridden. */
export function addAddress(lab: Lab, overrides: { pool?: string; portId?: string; output?: string } = {}): void {
  const code = [
    construct('NetworkingFloatingipV2', 'floating-ip', { pool: overrides.pool ?? `'${lab.course.cloud.externalNetwork}'` }, 'address'),
    construct('NetworkingFloatingipAssociateV2', 'address-port', { floatingIp: 'address.address', portId: overrides.portId ?? 'port.id' }),
    `    new TerraformOutput(this, 'address', { value: ${overrides.output ?? 'address.address'} });\n`,
  ].join('');
  afterStepComment(lab, 4, 2, "'address-port'", code);
}

/** Exercise 02's rule: TCP 80 into the web group from where the class's browsers are (cloud.ssh_allowed_cidrs). */
export function addPageRule(lab: Lab): void {
  const cidrs = JSON.stringify(lab.course.cloud.sshAllowedCidrs).replaceAll('"', "'").replaceAll(',', ', ');
  const code = `    // Exercise 02: the web page, from where the class's browsers are.
    ${cidrs}.forEach((cidr, i) => {
      new NetworkingSecgroupRuleV2(this, \`page-\${i}\`, {
        securityGroupId: web.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        portRangeMin: 80,
        portRangeMax: 80,
        remoteIpPrefix: cidr,
      });
    });

`;
  editMain(lab, (text) => (text.includes('`page-${i}`') ? text : text.replace(/(\n\s*new TerraformOutput\(this, 'security_group')/, `\n${code.trimEnd()}\n$1`)));
}
