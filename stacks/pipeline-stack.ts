import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { PipelineWorkers } from './constructs/pipeline-workers.js';
import { CourseStack, type CourseStackProps } from './course-stack.js';
import type { LabNetworkStack } from './lab-network-stack.js';
import { courseLabels } from './constructs/resource-labels.js';

export interface PipelineStackProps extends CourseStackProps {
  lab: LabNetworkStack;
}

/** Pipeline workers and their storage: a shared volume (lift-and-shift) or a Swift container (cloud-native). */
export class PipelineStack extends CourseStack {
  readonly workers: PipelineWorkers;

  constructor(scope: Construct, name: string, props: PipelineStackProps) {
    super(scope, name, props);
    const { course, lab } = props;
    const groups = lab.securityGroups;

    this.workers = new PipelineWorkers(this, 'pipeline', {
      namePrefix: `${course.id}-pipeline`,
      labels: courseLabels(course, 'worker'),
      networkId: lab.network.network.id,
      subnetId: lab.network.servicesSubnet.id,
      sharedSecurityGroupIds: [groups.ssh.id, groups.icmp.id, groups.scrapeTarget.id],
      imageId: this.courseImage(course).id,
      flavorId: this.courseFlavor(course, 'worker').id,
      workers: course.pipeline.workers,
      storage: course.pipeline.storage,
      volumeGb: course.pipeline.volumeGb,
      keyPair: lab.adminKeypair?.name,
      adminSshPublicKey: course.cloud.adminSshPublicKey,
      ...(course.monitoring.enabled ? { monitoringGroupId: groups.monitoringSource.id } : {}),
    });

    new TerraformOutput(this, 'workers', {
      value: this.workers.workers.map((vm) => ({ name: vm.instance.name, id: vm.instance.id, fixed_ip: vm.instance.accessIpV4 })),
    });
    new TerraformOutput(this, 'storage', { value: course.pipeline.storage });
    if (this.workers.container) new TerraformOutput(this, 'container', { value: this.workers.container.name });
  }
}
