import type { OptionSpec } from '../cli/command.js';

/**
 * The flags of `resops cloud`, written once: src/cloud/command.ts parses them (Node's parseArgs
 * ignores the descriptive fields), and the CLI's command table lists the visible ones for
 * `resops --help` and the docs' checks.
 */
export const CLOUD_OPTIONS = {
  course: { type: 'string', multiple: true, valueName: 'FILE', description: 'up: seed what this course needs (repeatable)' },
  project: { type: 'string', multiple: true, valueName: 'NAME', description: 'up: a project NAME with a NAME-instructor user (repeatable)' },
  servers: { type: 'string', valueName: 'containers|fake', description: 'up: servers boot as containers networked by Neutron\'s agents, or stay fake (default)' },
  rebuild: { type: 'boolean', description: 'up: rebuild the image even if it is current' },
  purge: { type: 'boolean', description: 'down: remove the container and its data too' },
  'state-dir': { type: 'string', valueName: 'DIR', description: 'where clouds.yaml goes' },
  timeout: { type: 'string', valueName: 'SEC', description: 'up: bound on start-to-ready' },
  json: { type: 'boolean', description: 'machine-readable output on stdout' },
  // For tests and side-by-side experiments: not in the usage text.
  name: { type: 'string', hidden: true, description: 'the cloud container\'s name' },
  help: { type: 'boolean', short: 'h', hidden: true, description: 'this help' },
} as const satisfies Record<string, OptionSpec & { multiple?: boolean; hidden?: boolean }>;

/** The flags shown in help and checked in the docs. */
export function visibleCloudOptions(): Record<string, OptionSpec> {
  const visible: Record<string, OptionSpec> = {};
  for (const [key, spec] of Object.entries(CLOUD_OPTIONS)) {
    if ('hidden' in spec && spec.hidden) continue;
    visible[key] = { type: spec.type, description: spec.description, ...('valueName' in spec ? { valueName: spec.valueName } : {}) };
  }
  return visible;
}
