/**
 * Resource types the stacks synthesize whose schema has `metadata` / `tags`. Kept by hand so the
 * synth tests stay readable; stacks-schema.test.ts proves the lists match the provider schema.
 */
export const TYPES_WITH_METADATA = [
  'openstack_compute_instance_v2',
  'openstack_blockstorage_volume_v3',
  'openstack_objectstorage_container_v1',
];
export const TYPES_WITH_TAGS = [
  'openstack_compute_instance_v2',
  'openstack_networking_network_v2',
  'openstack_networking_subnet_v2',
  'openstack_networking_router_v2',
  'openstack_networking_secgroup_v2',
  'openstack_networking_port_v2',
  'openstack_networking_floatingip_v2',
];
