// One import point for the generated provider bindings (`npm run get` regenerates `.gen/`), so a
// change in how the bindings are laid out touches this file only.
export { OpenstackProvider } from '../../.gen/providers/openstack/provider/index.js';
export { NetworkingNetworkV2 } from '../../.gen/providers/openstack/networking-network-v2/index.js';
export { NetworkingSubnetV2 } from '../../.gen/providers/openstack/networking-subnet-v2/index.js';
export { NetworkingRouterV2 } from '../../.gen/providers/openstack/networking-router-v2/index.js';
export { NetworkingRouterInterfaceV2 } from '../../.gen/providers/openstack/networking-router-interface-v2/index.js';
export { NetworkingSecgroupV2 } from '../../.gen/providers/openstack/networking-secgroup-v2/index.js';
export { NetworkingSecgroupRuleV2 } from '../../.gen/providers/openstack/networking-secgroup-rule-v2/index.js';
export { NetworkingPortV2 } from '../../.gen/providers/openstack/networking-port-v2/index.js';
export { NetworkingFloatingipV2 } from '../../.gen/providers/openstack/networking-floatingip-v2/index.js';
export { NetworkingFloatingipAssociateV2 } from '../../.gen/providers/openstack/networking-floatingip-associate-v2/index.js';
export { ComputeInstanceV2 } from '../../.gen/providers/openstack/compute-instance-v2/index.js';
export { ComputeKeypairV2 } from '../../.gen/providers/openstack/compute-keypair-v2/index.js';
export { BlockstorageVolumeV3 } from '../../.gen/providers/openstack/blockstorage-volume-v3/index.js';
export { ComputeVolumeAttachV2 } from '../../.gen/providers/openstack/compute-volume-attach-v2/index.js';
export { ObjectstorageContainerV1 } from '../../.gen/providers/openstack/objectstorage-container-v1/index.js';
export { DataOpenstackNetworkingNetworkV2 } from '../../.gen/providers/openstack/data-openstack-networking-network-v2/index.js';
export { DataOpenstackImagesImageV2 } from '../../.gen/providers/openstack/data-openstack-images-image-v2/index.js';
export { DataOpenstackComputeFlavorV2 } from '../../.gen/providers/openstack/data-openstack-compute-flavor-v2/index.js';
export { NetworkingRbacPolicyV2 } from '../../.gen/providers/openstack/networking-rbac-policy-v2/index.js';
export { DataOpenstackIdentityProjectV3 } from '../../.gen/providers/openstack/data-openstack-identity-project-v3/index.js';
