import { Construct } from 'constructs';
import { cloudInitUserData } from './cloud-init.js';
import { LabVm } from './lab-vm.js';
import { addLearnerSubnet } from './learner-subnet.js';
import { ComputeKeypairV2, NetworkingRouterInterfaceV2, NetworkingSecgroupRuleV2, NetworkingSecgroupV2 } from './openstack.js';
import { tagsOf, type ResourceLabels } from './resource-labels.js';

export interface LearnerEnvironmentProps {
  /** `<course id>-<learner id>`: prefix of every resource of this learner. */
  namePrefix: string;
  labels: ResourceLabels;
  learner: { id: string; name: string; sshPublicKey: string };
  networkId: string;
  /**
   * The learner's subnet: made here (`cidr` on the course router), or made by the course network's
   * stack and given by `id` (project-per-learner, where the network's owner alone may add it).
   */
  subnet: { cidr: string; routerId: string; dnsServers?: string[] } | { id: string };
  /** Shared groups every learner VM is a member of (SSH, ICMP, scrape target). */
  sharedSecurityGroupIds: string[];
  imageId: string;
  flavorId: string;
  externalNetwork: string;
  /** Number of VMs. Default 1. */
  vms?: number;
  /** Data volume per VM, GB. Default 0: none. */
  volumeGb?: number;
  /** Instructors' key for the image's default user. Default: none. */
  adminSshPublicKey?: string;
}

/**
 * Everything one learner owns: a subnet of their own (unless the course network's stack holds it),
 * their keypair, a security group that lets their VMs talk to each other and to nobody else's, and
 * the VMs with floating IPs.
 */
export class LearnerEnvironment extends Construct {
  readonly subnetId: string;
  readonly keypair: ComputeKeypairV2;
  readonly securityGroup: NetworkingSecgroupV2;
  readonly vms: LabVm[] = [];

  constructor(scope: Construct, id: string, props: LearnerEnvironmentProps) {
    super(scope, id);
    const tags = tagsOf(props.labels);

    // A floating IP needs the subnet routed first; made elsewhere, it is (that stack is applied before).
    let routed: NetworkingRouterInterfaceV2[] = [];
    if ('id' in props.subnet) {
      this.subnetId = props.subnet.id;
    } else {
      const own = addLearnerSubnet(this, { namePrefix: props.namePrefix, labels: props.labels, networkId: props.networkId, routerId: props.subnet.routerId, cidr: props.subnet.cidr, ...(props.subnet.dnsServers ? { dnsServers: props.subnet.dnsServers } : {}) });
      this.subnetId = own.subnet.id;
      routed = [own.routerInterface];
    }
    this.keypair = new ComputeKeypairV2(this, 'keypair', {
      name: `${props.namePrefix}-key`,
      publicKey: props.learner.sshPublicKey,
    });
    this.securityGroup = new NetworkingSecgroupV2(this, 'security-group', {
      name: props.namePrefix,
      description: `Traffic between ${props.learner.id}'s VMs only`,
      tags,
    });
    new NetworkingSecgroupRuleV2(this, 'between-own-vms', {
      securityGroupId: this.securityGroup.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      remoteGroupId: this.securityGroup.id,
      description: `any protocol between ${props.learner.id}'s VMs`,
    });

    const userData = cloudInitUserData({
      users: [{ name: props.learner.id, gecos: props.learner.name, sshPublicKeys: [props.learner.sshPublicKey] }],
      defaultUserKeys: props.adminSshPublicKey ? [props.adminSshPublicKey] : [],
      // A VM re-created from code (a lost node redeployed) is scraped from its first boot, before
      // anyone runs `configure` again; the role node_exporter then only sets its arguments.
      // Without its recommended collectors: their NVMe and IPMI units fail on a VM without either.
      commands: [['apt-get', 'install', '-y', '--no-install-recommends', 'prometheus-node-exporter']],
    });
    const vmCount = props.vms ?? 1;
    for (let vm = 1; vm <= vmCount; vm++) {
      this.vms.push(
        new LabVm(this, `vm${vm}`, {
          name: `${props.namePrefix}-vm${vm}`,
          labels: props.labels,
          networkId: props.networkId,
          subnetId: this.subnetId,
          securityGroupIds: [...props.sharedSecurityGroupIds, this.securityGroup.id],
          imageId: props.imageId,
          flavorId: props.flavorId,
          keyPair: this.keypair.name,
          userData,
          floatingIpPool: props.externalNetwork,
          floatingIpDependsOn: routed,
          volumeGb: props.volumeGb ?? 0,
          // On a network it does not own (project-per-learner), the network's port security applies.
          explicitPortSecurity: !('id' in props.subnet),
        }),
      );
    }
  }
}
