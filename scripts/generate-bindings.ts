// Generates the typed cdktf bindings for the OpenStack provider into .gen/providers/openstack.
//
// The Terraform registry is unreachable on the course build machines, so `cdktf get` cannot
// fetch the provider schema. Instead we feed a stored `terraform providers schema -json` dump
// (trimmed to the types our stacks use, which keeps .gen small and tsc fast) to the same
// generator `cdktf get` uses. Online users without a schema file fall back to `npx cdktf get`.
//
// Usage: npm run get [-- --schema FILE] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Before importing the cdktf packages: they (and terraform) otherwise phone HashiCorp's checkpoint.
process.env.CHECKPOINT_DISABLE = '1';
// Importing @cdktf/commons runs `terraform version -json`; a TF_CLI_CONFIG_FILE naming a missing
// file makes terraform warn and cdktf log that as an ERROR, although nothing else uses terraform.
if (process.env.TF_CLI_CONFIG_FILE && !existsSync(process.env.TF_CLI_CONFIG_FILE)) {
  delete process.env.TF_CLI_CONFIG_FILE;
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SCHEMA = resolve(PROJECT_ROOT, '../shared/openstack-provider/schema-3.4.0.json');
const OUTDIR = resolve(PROJECT_ROOT, '.gen');
const PROVIDER_FQPN = 'registry.terraform.io/terraform-provider-openstack/openstack';
// Same string as cdktf.json's terraformProviders; the generated provider class carries it into
// `terraform.required_providers`, so users keep getting any 3.x release.
const PROVIDER_CONSTRAINT = 'terraform-provider-openstack/openstack@~> 3.0';
// The generated index.ts uses extensionless relative imports, which NodeNext only allows in
// CommonJS; this project is ESM, so .gen is marked CommonJS (hashicorp/terraform-cdk#1660).
const COMMONJS_MARKER = JSON.stringify({ type: 'commonjs' });

/** The Terraform types the stacks use. Add a type here and rerun `npm run get`. */
const OPENSTACK_TYPES = {
  resources: [
    'openstack_networking_network_v2',
    'openstack_networking_subnet_v2',
    'openstack_networking_router_v2',
    'openstack_networking_router_interface_v2',
    'openstack_networking_secgroup_v2',
    'openstack_networking_secgroup_rule_v2',
    'openstack_networking_port_v2',
    'openstack_networking_floatingip_v2',
    'openstack_networking_floatingip_associate_v2',
    'openstack_compute_instance_v2',
    'openstack_compute_keypair_v2',
    'openstack_blockstorage_volume_v3',
    'openstack_compute_volume_attach_v2',
    'openstack_objectstorage_container_v1',
    'openstack_networking_rbac_policy_v2',
  ],
  dataSources: [
    'openstack_networking_network_v2',
    'openstack_images_image_v2',
    'openstack_compute_flavor_v2',
    'openstack_identity_project_v3',
  ],
} as const;

interface SchemaDoc {
  format_version: string;
  provider_schemas?: Record<
    string,
    {
      provider?: unknown;
      resource_schemas?: Record<string, unknown>;
      data_source_schemas?: Record<string, unknown>;
    }
  >;
  provider_versions?: Record<string, string>;
}

function parseArgs(argv: string[]): { schema?: string; json: boolean } {
  let schema: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--schema') {
      schema = argv[++i];
      if (!schema) throw new Error('--schema needs a file argument');
    } else if (arg?.startsWith('--schema=')) schema = arg.slice('--schema='.length);
    else throw new Error(`unknown argument ${arg}; usage: generate-bindings [--schema FILE] [--json]`);
  }
  return { schema, json };
}

function pick(
  file: string,
  kind: string,
  all: Record<string, unknown> | undefined,
  wanted: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const missing = wanted.filter((t) => !all?.[t]);
  if (missing.length > 0) {
    throw new Error(`${file}: provider schema has no ${kind} ${missing.join(', ')}`);
  }
  for (const t of wanted) out[t] = all![t];
  return out;
}

/** Keeps only the provider config and the types in OPENSTACK_TYPES; drops provider_versions on purpose. */
function trimSchema(doc: SchemaDoc, file: string): SchemaDoc {
  const provider = doc.provider_schemas?.[PROVIDER_FQPN];
  if (!provider) {
    throw new Error(`${file}: provider_schemas has no "${PROVIDER_FQPN}"`);
  }
  // provider_versions would make the generated provider pin the exact version instead of `~> 3.0`.
  return {
    format_version: doc.format_version,
    provider_schemas: {
      [PROVIDER_FQPN]: {
        provider: provider.provider,
        resource_schemas: pick(file, 'resource', provider.resource_schemas, OPENSTACK_TYPES.resources),
        data_source_schemas: pick(file, 'data source', provider.data_source_schemas, OPENSTACK_TYPES.dataSources),
      },
    },
  };
}

async function generateOffline(schemaFile: string, json: boolean): Promise<void> {
  const started = performance.now();
  let doc: SchemaDoc;
  try {
    doc = JSON.parse(readFileSync(schemaFile, 'utf8')) as SchemaDoc;
  } catch (err) {
    throw new Error(`${schemaFile}: cannot read provider schema: ${(err as Error).message}`);
  }
  const trimmed = trimSchema(doc, schemaFile);

  // The cdktf generator packages are CommonJS without ESM entry points for these deep paths.
  const require = createRequire(import.meta.url);
  const commons = require('@cdktf/commons') as typeof import('@cdktf/commons');
  const { TerraformProviderGenerator } = require(
    '@cdktf/provider-generator/lib/get/generator/provider-generator.js',
  ) as typeof import('@cdktf/provider-generator/lib/get/generator/provider-generator.js');
  // Take the codemaker release the generator was built against (what `cdktf get` uses), not the
  // top-level one: their CodeMaker classes differ in private members.
  type GeneratorCodeMaker = ConstructorParameters<typeof TerraformProviderGenerator>[0];
  const requireFromGenerator = createRequire(require.resolve('@cdktf/provider-generator/package.json'));
  const { CodeMaker } = requireFromGenerator('codemaker') as { CodeMaker: new () => GeneratorCodeMaker };

  const constraint = new commons.TerraformProviderConstraint(PROVIDER_CONSTRAINT);
  const target = new commons.ConstructsMakerProviderTarget(constraint, commons.Language.TYPESCRIPT);
  const code = new CodeMaker();
  // Our trimmed copy has the shape of @cdktf/commons' ProviderSchema; the cast only names it.
  const generator = new TerraformProviderGenerator(code, trimmed as unknown as import('@cdktf/commons').ProviderSchema);
  generator.generate(target);

  // Same bookkeeping files `cdktf get` writes next to the providers.
  code.openFile('versions.json');
  code.line(JSON.stringify(generator.versions, null, 2));
  code.closeFile('versions.json');
  code.openFile('constraints.json');
  code.line(JSON.stringify({ cdktf: commons.DISPLAY_VERSION, providers: { [constraint.fqn]: constraint.version } }, null, 2));
  code.closeFile('constraints.json');
  code.openFile('package.json');
  code.line(COMMONJS_MARKER);
  code.closeFile('package.json');

  // Regenerate from scratch so types removed from OPENSTACK_TYPES disappear.
  rmSync(resolve(OUTDIR, 'providers', 'openstack'), { recursive: true, force: true });
  await generator.save(OUTDIR);

  const seconds = (performance.now() - started) / 1000;
  const summary = {
    schema: schemaFile,
    outdir: resolve(OUTDIR, 'providers', 'openstack'),
    provider: constraint.source,
    version: constraint.version,
    resources: OPENSTACK_TYPES.resources.length,
    dataSources: OPENSTACK_TYPES.dataSources.length,
    seconds: Number(seconds.toFixed(2)),
  };
  if (json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(
      `generated ${summary.outdir} (${summary.provider} ${summary.version}): ` +
        `${summary.resources} resources, ${summary.dataSources} data sources + provider in ${summary.seconds.toFixed(1)} s`,
    );
  }
}

function generateOnline(): void {
  console.error(
    `No provider schema file found (looked for ${DEFAULT_SCHEMA}; pass --schema FILE to use another).\n` +
      'Falling back to `npx cdktf get`, which downloads the provider from the Terraform registry\n' +
      '(needs internet access and cdktf-cli; it generates every resource, not only the ones the stacks use).',
  );
  const result = spawnSync('npx', ['--no-install', 'cdktf', 'get'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.status !== 0) {
    console.error(
      '`npx cdktf get` failed. Install cdktf-cli (`npm i -g cdktf-cli@0.21`) and make sure the\n' +
        'Terraform registry is reachable, or provide a schema from `terraform providers schema -json`\n' +
        'with --schema FILE.',
    );
    process.exitCode = result.status ?? 1;
    return;
  }
  writeFileSync(resolve(OUTDIR, 'package.json'), `${COMMONJS_MARKER}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.schema) {
    const file = resolve(process.cwd(), args.schema);
    if (!existsSync(file)) throw new Error(`--schema ${file}: file does not exist`);
    await generateOffline(file, args.json);
  } else if (existsSync(DEFAULT_SCHEMA)) {
    await generateOffline(DEFAULT_SCHEMA, args.json);
  } else {
    generateOnline();
  }
}

main().catch((err: unknown) => {
  console.error(`generate-bindings: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
