/**
 * The learner's own Terraform stack (exercise 01) as Terraform sees it after an apply: what its
 * state holds (`terraform show -json`), read the way a learner reads it, with the course's
 * provider source and credentials.
 */
export interface AppliedResource {
  /** `openstack_compute_instance_v2.server` */
  address: string;
  type: string;
  name: string;
  values: Record<string, unknown>;
}

export interface AppliedStack {
  resources: AppliedResource[];
  /** Output name → value (sensitive ones as `(sensitive)`). */
  outputs: Record<string, unknown>;
}

interface ShowJson {
  values?: {
    outputs?: Record<string, { value?: unknown; sensitive?: boolean }>;
    root_module?: { resources?: Array<{ address: string; mode?: string; type: string; name: string; values?: Record<string, unknown> }> };
  };
}

/** `terraform show -json` of a state; an empty state (never applied, or destroyed) has no `values`. */
export function parseShowJson(text: string): AppliedStack {
  const parsed = JSON.parse(text || '{}') as ShowJson;
  const resources = (parsed.values?.root_module?.resources ?? [])
    .filter((r) => r.mode !== 'data')
    .map((r) => ({ address: r.address, type: r.type, name: r.name, values: r.values ?? {} }));
  const outputs = Object.fromEntries(Object.entries(parsed.values?.outputs ?? {}).map(([name, o]) => [name, o.sensitive ? '(sensitive)' : o.value]));
  return { resources, outputs };
}
