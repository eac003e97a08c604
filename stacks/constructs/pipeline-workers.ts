import { Construct } from 'constructs';
import { deploysStorage, type PipelineDeployment } from '../../src/course/model.js';
import { cloudInitUserData } from './cloud-init.js';
import { LabVm } from './lab-vm.js';
import {
  BlockstorageVolumeV3,
  ComputeVolumeAttachV2,
  NetworkingSecgroupRuleV2,
  NetworkingSecgroupV2,
  ObjectstorageContainerV1,
} from './openstack.js';
import { metadataOf, tagsOf, type ResourceLabels } from './resource-labels.js';
import { tcpIngress } from './tcp-ingress.js';

export interface PipelineWorkersProps {
  namePrefix: string;
  labels: ResourceLabels;
  networkId: string;
  subnetId: string;
  sharedSecurityGroupIds: string[];
  imageId: string;
  flavorId: string;
  /** Number of worker VMs (≥ 1). */
  workers: number;
  /**
   * `volume` (lift-and-shift): one volume attached to worker 1, which every Slurm machine mounts
   * over sshfs (role pipeline_share).
   * `object` (cloud-native): a Swift container; workers read and write objects, no shared disk.
   * `both`: the volume and the container, for courses that compare the two.
   */
  storage: PipelineDeployment;
  /** Size of the shared volume, GB (storage `volume` only). Default 50. */
  volumeGb?: number;
  keyPair?: string;
  adminSshPublicKey?: string;
  /**
   * Members of this group (the monitoring host) are the workers' jump host and Slurm controller:
   * they may reach SSH and slurmd on every worker. Default: none (no way in but `sshAllowedCidrs`,
   * and the workers are no Slurm cluster's nodes).
   */
  monitoringGroupId?: string;
}

/** slurmd's port (Slurm's default SlurmdPort): where the controller sends the workers their jobs. */
export const SLURMD_PORT = 6818;

/** Pipeline worker VMs and the storage they share. Workers have no floating IP: reach them through the monitoring host. */
export class PipelineWorkers extends Construct {
  readonly securityGroup: NetworkingSecgroupV2;
  readonly workers: LabVm[] = [];
  readonly sharedVolume?: BlockstorageVolumeV3;
  readonly container?: ObjectstorageContainerV1;

  constructor(scope: Construct, id: string, props: PipelineWorkersProps) {
    super(scope, id);
    this.securityGroup = new NetworkingSecgroupV2(this, 'security-group', {
      name: props.namePrefix,
      description: 'Traffic between pipeline workers (the shared directory over SSH, job control)',
      tags: tagsOf(props.labels),
    });
    new NetworkingSecgroupRuleV2(this, 'between-workers', {
      securityGroupId: this.securityGroup.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      remoteGroupId: this.securityGroup.id,
      description: 'any protocol between pipeline workers',
    });
    // Workers have no floating IP: Ansible reaches them through the monitoring host, whose
    // slurmctld sends them their jobs.
    if (props.monitoringGroupId) {
      const from = { groupId: props.monitoringGroupId };
      tcpIngress(this, 'ssh-from-jump-host', this.securityGroup, 22, from, 'SSH from the jump host (the monitoring host)');
      tcpIngress(this, 'slurmd-from-controller', this.securityGroup, SLURMD_PORT, from, 'slurmd from the Slurm controller (the monitoring host)');
    }

    const userData = cloudInitUserData({
      defaultUserKeys: props.adminSshPublicKey ? [props.adminSshPublicKey] : [],
      packages: ['python3'],
    });
    const coursePrefix = props.labels.course;
    for (let worker = 1; worker <= props.workers; worker++) {
      this.workers.push(
        new LabVm(this, `worker${worker}`, {
          name: `${coursePrefix}-worker${worker}`,
          labels: props.labels,
          networkId: props.networkId,
          subnetId: props.subnetId,
          securityGroupIds: [...props.sharedSecurityGroupIds, this.securityGroup.id],
          imageId: props.imageId,
          flavorId: props.flavorId,
          keyPair: props.keyPair,
          userData,
        }),
      );
    }

    if (deploysStorage(props, 'volume')) {
      this.sharedVolume = new BlockstorageVolumeV3(this, 'shared-volume', {
        name: `${props.namePrefix}-data`,
        size: props.volumeGb ?? 50,
        metadata: metadataOf(props.labels),
      });
      new ComputeVolumeAttachV2(this, 'shared-volume-attachment', {
        instanceId: this.workers[0].instance.id,
        volumeId: this.sharedVolume.id,
      });
    }
    if (deploysStorage(props, 'object')) {
      this.container = new ObjectstorageContainerV1(this, 'container', {
        name: props.namePrefix,
        metadata: metadataOf(props.labels),
        // Teardown must succeed with the run's objects still inside; the course data is disposable.
        forceDestroy: true,
      });
    }
  }
}
