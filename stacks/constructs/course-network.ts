import { Construct } from 'constructs';
import {
  DataOpenstackNetworkingNetworkV2,
  NetworkingNetworkV2,
  NetworkingRouterInterfaceV2,
  NetworkingRouterV2,
  NetworkingSubnetV2,
} from './openstack.js';
import { tagsOf, type ResourceLabels } from './resource-labels.js';

export interface CourseNetworkProps {
  /** Prefix of every name, `<course id>`. */
  namePrefix: string;
  labels: ResourceLabels;
  /** Name of the external network the router's gateway and floating IPs come from. */
  externalNetwork: string;
  /** CIDR of the services subnet (monitoring host, workers): subnet 0 of the course CIDR. */
  servicesSubnetCidr: string;
  /** Resolvers handed out by DHCP. Default: none (the cloud's default). */
  dnsServers?: string[];
}

/**
 * The course network: one tenant network, the services subnet, and a router to the external
 * network. Learner subnets are added to the same network and router by `LearnerSubnet`.
 */
export class CourseNetwork extends Construct {
  readonly network: NetworkingNetworkV2;
  readonly servicesSubnet: NetworkingSubnetV2;
  readonly router: NetworkingRouterV2;
  readonly servicesRouterInterface: NetworkingRouterInterfaceV2;
  readonly externalNetwork: DataOpenstackNetworkingNetworkV2;

  constructor(scope: Construct, id: string, props: CourseNetworkProps) {
    super(scope, id);
    const tags = tagsOf(props.labels);

    this.externalNetwork = new DataOpenstackNetworkingNetworkV2(this, 'external', {
      name: props.externalNetwork,
      external: true,
    });
    this.network = new NetworkingNetworkV2(this, 'network', {
      name: `${props.namePrefix}-net`,
      adminStateUp: true,
      // What a port takes when it does not say (a learner's own project cannot say: see LabVm).
      portSecurityEnabled: true,
      tags,
    });
    this.servicesSubnet = new NetworkingSubnetV2(this, 'services', {
      name: `${props.namePrefix}-services`,
      networkId: this.network.id,
      cidr: props.servicesSubnetCidr,
      ipVersion: 4,
      enableDhcp: true,
      dnsNameservers: props.dnsServers ?? [],
      tags,
    });
    this.router = new NetworkingRouterV2(this, 'router', {
      name: `${props.namePrefix}-router`,
      adminStateUp: true,
      externalNetworkId: this.externalNetwork.id,
      tags,
    });
    this.servicesRouterInterface = new NetworkingRouterInterfaceV2(this, 'services-interface', {
      routerId: this.router.id,
      subnetId: this.servicesSubnet.id,
    });
  }
}
