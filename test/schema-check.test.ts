import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Fn, TerraformIterator, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockstorageVolumeV3,
  computeInstanceV2,
  computeKeypairV2,
  computeVolumeAttachV2,
  dataOpenstackComputeFlavorV2,
  dataOpenstackImagesImageV2,
  dataOpenstackNetworkingNetworkV2,
  networkingFloatingipAssociateV2,
  networkingFloatingipV2,
  networkingNetworkV2,
  networkingPortV2,
  networkingRouterInterfaceV2,
  networkingRouterV2,
  networkingSecgroupRuleV2,
  networkingSecgroupV2,
  networkingSubnetV2,
  objectstorageContainerV1,
  provider,
} from '../.gen/providers/openstack/index.js';
import {
  PROVIDER_SCHEMA_ENV,
  defaultSchemaDirectory,
  loadProviderSchema,
  newestSchemaFile,
} from '../src/terraform/provider-schema.js';
import { checkTerraformJson, formatSchemaProblems, type SchemaProblem } from '../src/terraform/schema-check.js';

const loaded = loadProviderSchema();
if (!loaded) {
  console.warn(
    `schema-check: SKIPPED — no provider schema in ${defaultSchemaDirectory()} and ${PROVIDER_SCHEMA_ENV} is not set`,
  );
}

// Testing.app() makes a /tmp/cdktf.outdir.* per app; remember ours to remove them.
const outdirs: string[] = [];
function testApp(): App {
  const app = Testing.app();
  outdirs.push(app.outdir);
  return app;
}

/** One of everything the course stacks create, built with the generated bindings. */
function courseLikeStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, 'course');
  new provider.OpenstackProvider(stack, 'openstack', { cloud: 'x', region: 'RegionOne' });
  const volumeGb = new TerraformVariable(stack, 'volume_gb', { type: 'number', default: 10 });
  const ext = new dataOpenstackNetworkingNetworkV2.DataOpenstackNetworkingNetworkV2(stack, 'ext', { name: 'public', external: true });
  const image = new dataOpenstackImagesImageV2.DataOpenstackImagesImageV2(stack, 'image', { name: 'debian-12', mostRecent: true });
  const flavor = new dataOpenstackComputeFlavorV2.DataOpenstackComputeFlavorV2(stack, 'flavor', { name: 'm1.small' });
  const net = new networkingNetworkV2.NetworkingNetworkV2(stack, 'net', { name: 'c-net', adminStateUp: true, tags: ['resops'] });
  const subnet = new networkingSubnetV2.NetworkingSubnetV2(stack, 'subnet', {
    name: 'c-subnet',
    networkId: net.id,
    cidr: '10.42.1.0/24',
    ipVersion: 4,
    dnsNameservers: ['9.9.9.9'],
    allocationPool: [{ start: '10.42.1.10', end: '10.42.1.200' }],
  });
  const router = new networkingRouterV2.NetworkingRouterV2(stack, 'router', { name: 'c-router', externalNetworkId: ext.id });
  new networkingRouterInterfaceV2.NetworkingRouterInterfaceV2(stack, 'router_if', { routerId: router.id, subnetId: subnet.id });
  const sg = new networkingSecgroupV2.NetworkingSecgroupV2(stack, 'sg', { name: 'c-sg', description: 'course' });
  new networkingSecgroupRuleV2.NetworkingSecgroupRuleV2(stack, 'ssh', {
    securityGroupId: sg.id,
    direction: 'ingress',
    ethertype: 'IPv4',
    protocol: 'tcp',
    portRangeMin: 22,
    portRangeMax: 22,
    remoteIpPrefix: '192.0.2.0/24',
  });
  const port = new networkingPortV2.NetworkingPortV2(stack, 'port', {
    name: 'c-port',
    networkId: net.id,
    securityGroupIds: [sg.id],
    fixedIp: [{ subnetId: subnet.id }],
    binding: { vnicType: 'normal' },
  });
  const key = new computeKeypairV2.ComputeKeypairV2(stack, 'key', { name: 'c-key', publicKey: 'ssh-ed25519 AAAA test' });
  const extraNets = TerraformIterator.fromList(['a', 'b']);
  const vm = new computeInstanceV2.ComputeInstanceV2(stack, 'alice_vm1', {
    name: 'alice-vm1',
    imageId: image.id,
    flavorId: flavor.id,
    keyPair: key.name,
    metadata: { 'resops.course': 'c1' },
    network: [{ port: port.id }],
    timeouts: { create: '10m' },
    vendorOptions: { ignoreResizeConfirmation: true },
    lifecycle: { ignoreChanges: ['image_id'] },
    dependsOn: [subnet],
  });
  // A dynamic block, as stacks looping over networks produce.
  new computeInstanceV2.ComputeInstanceV2(stack, 'multi', {
    name: 'multi',
    network: extraNets.dynamic({ name: extraNets.value }),
  });
  const fip = new networkingFloatingipV2.NetworkingFloatingipV2(stack, 'fip', { pool: 'public' });
  new networkingFloatingipAssociateV2.NetworkingFloatingipAssociateV2(stack, 'fip_assoc', { floatingIp: fip.address, portId: port.id });
  const volume = new blockstorageVolumeV3.BlockstorageVolumeV3(stack, 'vol', { name: 'c-vol', size: volumeGb.numberValue });
  new computeVolumeAttachV2.ComputeVolumeAttachV2(stack, 'attach', { instanceId: vm.id, volumeId: volume.id });
  new objectstorageContainerV1.ObjectstorageContainerV1(stack, 'bucket', { name: 'c-results', metadata: { course: 'c1' } });
  new TerraformLocal(stack, 'learners', ['alice']);
  new TerraformOutput(stack, 'vm_ip', { value: Fn.lookup(vm.network.get(0), 'fixed_ip_v4', '') });
  return stack;
}

type Doc = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

describe.skipIf(!loaded)('checkTerraformJson against the OpenStack provider schema', () => {
  const schema = loaded!.document;
  let valid: Doc;

  beforeAll(() => {
    valid = JSON.parse(Testing.synth(courseLikeStack(testApp()))) as Doc;
  });

  afterAll(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the valid document with one change applied. */
  function mutated(change: (doc: Doc) => void): Doc {
    const doc = structuredClone(valid);
    change(doc);
    return doc;
  }
  const resource = (doc: Doc, type: string, name: string): Record<string, unknown> => doc.resource![type]![name]!;

  it('finds nothing wrong in a document synthesized with the generated bindings', () => {
    const problems = checkTerraformJson(valid, schema);
    expect(formatSchemaProblems(problems)).toBe('');
    // The stack really exercises what the checker must let through.
    expect(Object.keys(valid.resource!)).toHaveLength(14);
    expect(Object.keys(valid.data!)).toHaveLength(3);
    expect(resource(valid, 'openstack_compute_instance_v2', 'multi').dynamic).toBeDefined();
    expect(resource(valid, 'openstack_blockstorage_volume_v3', 'vol').size).toBe('${var.volume_gb}');
  });

  it('accepts the full cdk.tf.json written by app.synth(), with cdktf metadata and backend', () => {
    const app = testApp();
    courseLikeStack(app);
    app.synth();
    const written = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'course', 'cdk.tf.json'), 'utf8')) as Doc;
    expect(written['//']).toBeDefined();
    expect(checkTerraformJson(written, schema)).toEqual([]);
  });

  it('reports an unknown argument, with a suggestion', () => {
    const doc = mutated((d) => {
      resource(d, 'openstack_compute_instance_v2', 'alice_vm1').flavour_name = 'm1.small';
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_compute_instance_v2.alice_vm1.flavour_name',
        kind: 'unknown-attribute',
        message: 'unknown argument "flavour_name" in openstack_compute_instance_v2; did you mean `flavor_name`?',
      },
    ]);
  });

  it('reports an unknown argument inside a nested block', () => {
    const doc = mutated((d) => {
      const network = resource(d, 'openstack_compute_instance_v2', 'alice_vm1').network as Record<string, unknown>[];
      network[0]!.prot = network[0]!.port;
      delete network[0]!.port;
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_compute_instance_v2.alice_vm1.network[0].prot',
        kind: 'unknown-attribute',
        message: 'unknown argument "prot" in block "network" of openstack_compute_instance_v2; did you mean `port`?',
      },
    ]);
  });

  it('reports missing required arguments', () => {
    const doc = mutated((d) => {
      const rule = resource(d, 'openstack_networking_secgroup_rule_v2', 'ssh');
      delete rule.direction;
      delete rule.ethertype;
      delete resource(d, 'openstack_networking_subnet_v2', 'subnet').network_id;
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_networking_secgroup_rule_v2.ssh.direction',
        kind: 'missing-required',
        message: 'missing required argument "direction" in openstack_networking_secgroup_rule_v2',
      },
      {
        path: 'resource.openstack_networking_secgroup_rule_v2.ssh.ethertype',
        kind: 'missing-required',
        message: 'missing required argument "ethertype" in openstack_networking_secgroup_rule_v2',
      },
      {
        path: 'resource.openstack_networking_subnet_v2.subnet.network_id',
        kind: 'missing-required',
        message: 'missing required argument "network_id" in openstack_networking_subnet_v2',
      },
    ]);
  });

  it('reports a computed-only attribute that is set', () => {
    const doc = mutated((d) => {
      resource(d, 'openstack_compute_instance_v2', 'alice_vm1').access_ip_v4 = '10.42.1.5';
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_compute_instance_v2.alice_vm1.access_ip_v4',
        kind: 'computed-only',
        message: '"access_ip_v4" is computed by the provider and cannot be set',
      },
    ]);
  });

  it('reports a list block given as a single object', () => {
    const doc = mutated((d) => {
      const vm = resource(d, 'openstack_compute_instance_v2', 'alice_vm1');
      vm.network = (vm.network as unknown[])[0];
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_compute_instance_v2.alice_vm1.network',
        kind: 'nesting',
        message: '"network" is a list of blocks: expected a list of objects, got an object',
      },
    ]);
  });

  it('reports a block given where an attribute is expected, and an attribute where a block is', () => {
    const doc = mutated((d) => {
      const vm = resource(d, 'openstack_compute_instance_v2', 'alice_vm1');
      vm.name = [{ value: 'alice-vm1' }];
      vm.network = '${openstack_networking_port_v2.port.id}';
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_compute_instance_v2.alice_vm1.name',
        kind: 'type',
        message: 'expected string, got a list (a block or collection where a single value is expected)',
      },
      {
        path: 'resource.openstack_compute_instance_v2.alice_vm1.network',
        kind: 'nesting',
        message:
          '"network" is a block (nesting list), not an attribute: expected a list of objects, got string "${openstack_networking_port_v2.port.id}" (a block cannot be set from an expression; use a dynamic block)',
      },
    ]);
  });

  it('reports more blocks than max_items allows', () => {
    const doc = mutated((d) => {
      const port = resource(d, 'openstack_networking_port_v2', 'port');
      port.binding = [port.binding, { vnic_type: 'direct' }];
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_networking_port_v2.port.binding',
        kind: 'item-count',
        message: '"binding" allows at most 1 block, got 2',
      },
    ]);
  });

  it('reports wrong types but accepts interpolations and convertible strings', () => {
    const doc = mutated((d) => {
      resource(d, 'openstack_blockstorage_volume_v3', 'vol').size = 'ten';
      resource(d, 'openstack_networking_network_v2', 'net').admin_state_up = 'yes';
      resource(d, 'openstack_networking_network_v2', 'net').tags = 'resops';
      resource(d, 'openstack_compute_instance_v2', 'alice_vm1').metadata = { course: { id: 'c1' } };
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_blockstorage_volume_v3.vol.size',
        kind: 'type',
        message: 'expected number, got string "ten"',
      },
      {
        path: 'resource.openstack_compute_instance_v2.alice_vm1.metadata.course',
        kind: 'type',
        message: 'expected string, got an object (a block or collection where a single value is expected)',
      },
      {
        path: 'resource.openstack_networking_network_v2.net.admin_state_up',
        kind: 'type',
        message: 'expected bool, got string "yes"',
      },
      {
        path: 'resource.openstack_networking_network_v2.net.tags',
        kind: 'type',
        message: 'expected set of string, got string "resops"',
      },
    ]);

    const fine = mutated((d) => {
      resource(d, 'openstack_blockstorage_volume_v3', 'vol').size = '10';
      resource(d, 'openstack_networking_network_v2', 'net').admin_state_up = '${var.up}';
      resource(d, 'openstack_networking_network_v2', 'net').tags = ['${var.tag}', 'x-${var.course}'];
      resource(d, 'openstack_networking_port_v2', 'port').security_group_ids = '${var.groups}';
    });
    expect(checkTerraformJson(fine, schema)).toEqual([]);
  });

  it('reports unknown resource and data source types', () => {
    const doc = mutated((d) => {
      d.resource!.openstack_compute_instanse_v2 = { vm: { name: 'x' } };
      d.resource!.aws_instance = { vm: { ami: 'x' } };
      d.data!.openstack_images_image_v3 = { img: { name: 'x' } };
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'resource.openstack_compute_instanse_v2',
        kind: 'unknown-type',
        message:
          'unknown resource type "openstack_compute_instanse_v2": not in the terraform-provider-openstack/openstack schema; did you mean `openstack_compute_instance_v2`?',
      },
      {
        path: 'resource.aws_instance',
        kind: 'unknown-type',
        message: 'unknown resource type "aws_instance": no schema for provider "aws" (only terraform-provider-openstack/openstack is checked)',
      },
      {
        path: 'data.openstack_images_image_v3',
        kind: 'unknown-type',
        message:
          'unknown data source type "openstack_images_image_v3": not in the terraform-provider-openstack/openstack schema; did you mean `openstack_images_image_v2`?',
      },
    ]);
  });

  it('checks data sources, dynamic block content and the provider configuration', () => {
    const doc = mutated((d) => {
      d.data!.openstack_images_image_v2!.image!.most_recently = true;
      const multi = resource(d, 'openstack_compute_instance_v2', 'multi');
      (multi.dynamic as { network: { content: Record<string, unknown> } }).network.content.uid = 'net-1';
      (d.provider as unknown as { openstack: Record<string, unknown>[] }).openstack[0]!.clod = 'x';
    });
    expect(checkTerraformJson(doc, schema)).toEqual<SchemaProblem[]>([
      {
        path: 'provider.openstack[0].clod',
        kind: 'unknown-attribute',
        message: 'unknown argument "clod" in provider "openstack"; did you mean `cloud`?',
      },
      {
        path: 'resource.openstack_compute_instance_v2.multi.dynamic.network.content.uid',
        kind: 'unknown-attribute',
        message: 'unknown argument "uid" in block "network" of openstack_compute_instance_v2; did you mean `uuid`?',
      },
      {
        path: 'data.openstack_images_image_v2.image.most_recently',
        kind: 'unknown-attribute',
        message: 'unknown argument "most_recently" in openstack_images_image_v2; did you mean `most_recent`?',
      },
    ]);
  });

  it('formats problems with the file name for people', () => {
    const doc = mutated((d) => {
      resource(d, 'openstack_blockstorage_volume_v3', 'vol').size = 'ten';
    });
    expect(formatSchemaProblems(checkTerraformJson(doc, schema), 'stacks/course/cdk.tf.json')).toBe(
      'stacks/course/cdk.tf.json: resource.openstack_blockstorage_volume_v3.vol.size: expected number, got string "ten"',
    );
  });
});

describe('loadProviderSchema', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('picks the newest schema-X.Y.Z.json by version, not by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-check.'));
    dirs.push(dir);
    for (const name of ['schema-3.4.0.json', 'schema-3.10.0.json', 'schema-3.9.9.json', 'notes.json']) {
      writeFileSync(join(dir, name), '{}');
    }
    expect(newestSchemaFile(dir)).toBe(join(dir, 'schema-3.10.0.json'));
    expect(newestSchemaFile(join(dir, 'missing'))).toBeUndefined();
  });

  it('rejects an explicit or env path that does not exist, naming it', () => {
    expect(() => loadProviderSchema('/nonexistent/schema-9.9.9.json')).toThrow(
      'provider schema /nonexistent/schema-9.9.9.json: file does not exist',
    );
    expect(() => loadProviderSchema(undefined, { [PROVIDER_SCHEMA_ENV]: '/nonexistent/s.json' })).toThrow(
      `${PROVIDER_SCHEMA_ENV} /nonexistent/s.json: file does not exist`,
    );
  });

  it('rejects a file that is not a provider schema, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-check.'));
    dirs.push(dir);
    const file = join(dir, 'schema-1.0.0.json');
    writeFileSync(file, JSON.stringify({ format_version: '1.0', provider_schemas: {} }));
    expect(() => loadProviderSchema(file)).toThrow(`${file}: provider_schemas has no "registry.terraform.io/terraform-provider-openstack/openstack"`);
    writeFileSync(file, '{ not json');
    expect(() => loadProviderSchema(file)).toThrow(`${file}: cannot read provider schema`);
  });

  it.skipIf(!loaded)('loads the stored schema with its version', () => {
    expect(loaded!.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(loaded!.path).toMatch(/schema-\d+\.\d+\.\d+\.json$/);
  });
});
