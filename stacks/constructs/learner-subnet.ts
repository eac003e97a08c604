import type { Construct } from 'constructs';
import { NetworkingRouterInterfaceV2, NetworkingSubnetV2 } from './openstack.js';
import { tagsOf, type ResourceLabels } from './resource-labels.js';

export interface LearnerSubnetProps {
  /** The subnet's name. Default: `<namePrefix>-subnet`. */
  name?: string;
  /** `<course id>-<learner id>`. */
  namePrefix: string;
  labels: ResourceLabels;
  networkId: string;
  routerId: string;
  /** The learner's own CIDR, carved from the course CIDR. */
  cidr: string;
  /** Resolvers handed out by DHCP. Default: none (the cloud's default). */
  dnsServers?: string[];
}

/**
 * A learner's subnet on the course network, routed by the course router, added to `scope` as
 * `subnet` and `router-interface`: in the learner's environment, or (project-per-learner) in the
 * course network's stack, since only the network's owner may add a subnet to it and an interface
 * to its router. Not a construct of its own, so that the resources keep the addresses they have
 * always had in the learner's stack (a new address would make Terraform replace them).
 */
export function addLearnerSubnet(scope: Construct, props: LearnerSubnetProps): { subnet: NetworkingSubnetV2; routerInterface: NetworkingRouterInterfaceV2 } {
  const subnet = new NetworkingSubnetV2(scope, 'subnet', {
    name: props.name ?? `${props.namePrefix}-subnet`,
    networkId: props.networkId,
    cidr: props.cidr,
    ipVersion: 4,
    enableDhcp: true,
    dnsNameservers: props.dnsServers ?? [],
    tags: tagsOf(props.labels),
  });
  const routerInterface = new NetworkingRouterInterfaceV2(scope, 'router-interface', {
    routerId: props.routerId,
    subnetId: subnet.id,
  });
  return { subnet, routerInterface };
}
