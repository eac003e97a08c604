import { Construct } from 'constructs';
import {
  BlockstorageVolumeV3,
  ComputeInstanceV2,
  ComputeVolumeAttachV2,
  NetworkingFloatingipAssociateV2,
  NetworkingFloatingipV2,
  NetworkingPortV2,
} from './openstack.js';
import { metadataOf, tagsOf, type ResourceLabels } from './resource-labels.js';
import { TerraformStack, type ITerraformDependable } from 'cdktf';

export interface LabVmProps {
  /** Server name; also the port's name, and `<name>-data` for the volume. */
  name: string;
  labels: ResourceLabels;
  networkId: string;
  subnetId: string;
  /** Security groups of the VM's port (instances with a port take their groups from it). */
  securityGroupIds: string[];
  imageId: string;
  flavorId: string;
  /** Keypair injected for the image's default user. Default: none. */
  keyPair?: string;
  userData: string;
  /** External network name to allocate a floating IP from. Default: no floating IP. */
  floatingIpPool?: string;
  /**
   * What must exist before the floating IP can be associated: the router interface on the VM's
   * subnet (Neutron refuses an association while the subnet has no route to the external network).
   */
  floatingIpDependsOn?: ITerraformDependable[];
  /** Size of a data volume, GB. Default 0: no volume. */
  volumeGb?: number;
  /**
   * Set port security on the port explicitly (default true). False: the port takes the network's
   * setting (which the course network sets on), for a project that does not own the network:
   * Neutron lets only the network's owner set it per port.
   */
  explicitPortSecurity?: boolean;
}

/** A course VM: its port, the server, and optionally a floating IP and a data volume. */
export class LabVm extends Construct {
  readonly port: NetworkingPortV2;
  readonly instance: ComputeInstanceV2;
  readonly floatingIp?: NetworkingFloatingipV2;
  readonly volume?: BlockstorageVolumeV3;

  constructor(scope: Construct, id: string, props: LabVmProps) {
    super(scope, id);
    this.port = new NetworkingPortV2(this, 'port', {
      name: props.name,
      networkId: props.networkId,
      adminStateUp: true,
      fixedIp: [{ subnetId: props.subnetId }],
      securityGroupIds: props.securityGroupIds,
      // Explicit, not the cloud's default: every learner is root on a VM in one broadcast domain,
      // and only port security makes Neutron drop packets with another port's IP or MAC.
      ...(props.explicitPortSecurity === false ? {} : { portSecurityEnabled: true }),
      tags: tagsOf(props.labels),
    });
    this.instance = new ComputeInstanceV2(this, 'server', {
      name: props.name,
      imageId: props.imageId,
      flavorId: props.flavorId,
      keyPair: props.keyPair,
      userData: props.userData,
      metadata: metadataOf(props.labels),
      tags: tagsOf(props.labels),
      network: [{ port: this.port.id }],
    });
    if (props.floatingIpPool !== undefined) {
      this.floatingIp = new NetworkingFloatingipV2(this, 'floating-ip', {
        pool: props.floatingIpPool,
        description: props.name,
        tags: tagsOf(props.labels),
      });
      new NetworkingFloatingipAssociateV2(this, 'floating-ip-association', {
        floatingIp: this.floatingIp.address,
        portId: this.port.id,
        dependsOn: sameStackOnly(this, props.floatingIpDependsOn ?? []),
      });
    }
    if ((props.volumeGb ?? 0) > 0) {
      this.volume = new BlockstorageVolumeV3(this, 'volume', {
        name: `${props.name}-data`,
        size: props.volumeGb ?? 0,
        metadata: metadataOf(props.labels),
      });
      new ComputeVolumeAttachV2(this, 'volume-attachment', {
        instanceId: this.instance.id,
        volumeId: this.volume.id,
      });
    }
  }

  /** Address learners and Ansible use: the floating IP when there is one, else the fixed IP. */
  get accessAddress(): string {
    return this.floatingIp ? this.floatingIp.address : this.instance.accessIpV4;
  }
}

/**
 * Terraform's depends_on can only name objects of its own configuration: a resource of another
 * stack becomes an attribute of a remote state there, which Terraform rejects ("References in
 * depends_on must be to a whole object"). Another stack is applied before this one anyway (stacks
 * run in the order their cross-stack references give), so its resources already exist.
 */
function sameStackOnly(scope: Construct, dependables: ITerraformDependable[]): ITerraformDependable[] | undefined {
  const own = TerraformStack.of(scope);
  const kept = dependables.filter((d) => !(d instanceof Construct) || TerraformStack.of(d) === own);
  return kept.length > 0 ? kept : undefined;
}
