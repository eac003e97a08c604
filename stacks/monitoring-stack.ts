import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { MonitoringHost } from './constructs/monitoring-host.js';
import { CourseStack, type CourseStackProps } from './course-stack.js';
import type { LabNetworkStack } from './lab-network-stack.js';
import { courseLabels } from './constructs/resource-labels.js';

export interface MonitoringStackProps extends CourseStackProps {
  lab: LabNetworkStack;
}

/** Prometheus, Alertmanager, Pushgateway and Gnocchi on one host with a data volume. */
export class MonitoringStack extends CourseStack {
  readonly host: MonitoringHost;

  constructor(scope: Construct, name: string, props: MonitoringStackProps) {
    super(scope, name, props);
    const { course, lab } = props;
    const groups = lab.securityGroups;

    this.host = new MonitoringHost(this, 'monitoring', {
      namePrefix: `${course.id}-monitoring`,
      labels: courseLabels(course, 'monitoring'),
      networkId: lab.network.network.id,
      subnetId: lab.network.servicesSubnet.id,
      sharedSecurityGroupIds: [groups.ssh.id, groups.icmp.id, groups.scrapeTarget.id, groups.monitoringSource.id],
      dashboardAllowedCidrs: course.cloud.dashboardAllowedCidrs,
      imageId: this.courseImage(course).id,
      flavorId: this.courseFlavor(course, 'monitoring').id,
      externalNetwork: course.cloud.externalNetwork,
      floatingIpDependsOn: [lab.network.servicesRouterInterface],
      ...(course.pipeline.workers > 0 ? { slurmNodesCidr: course.network.servicesSubnet } : {}),
      volumeGb: course.monitoring.volumeGb,
      keyPair: lab.adminKeypair?.name,
      adminSshPublicKey: course.cloud.adminSshPublicKey,
    });

    new TerraformOutput(this, 'address', { value: this.host.vm.accessAddress });
    new TerraformOutput(this, 'id', { value: this.host.vm.instance.id });
    new TerraformOutput(this, 'fixed_ip', { value: this.host.vm.instance.accessIpV4 });
    new TerraformOutput(this, 'ssh_user', { value: course.cloud.imageUser });
  }
}
