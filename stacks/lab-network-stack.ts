import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { CourseNetwork } from './constructs/course-network.js';
import { ComputeKeypairV2 } from './constructs/openstack.js';
import { SharedSecurityGroups } from './constructs/shared-security-groups.js';
import { CourseStack, type CourseStackProps } from './course-stack.js';
import { courseLabels } from './constructs/resource-labels.js';

/** The course network, its router and the security groups every VM shares. */
export class LabNetworkStack extends CourseStack {
  readonly network: CourseNetwork;
  readonly securityGroups: SharedSecurityGroups;
  /** Keypair of the instructors' automation, when the course file gives its key. */
  readonly adminKeypair?: ComputeKeypairV2;

  constructor(scope: Construct, name: string, props: CourseStackProps) {
    super(scope, name, props);
    const { course } = props;
    const labels = courseLabels(course, 'network');

    this.network = new CourseNetwork(this, 'course-network', {
      namePrefix: course.id,
      labels,
      externalNetwork: course.cloud.externalNetwork,
      servicesSubnetCidr: course.network.servicesSubnet,
      dnsServers: course.cloud.dnsServers,
    });
    this.securityGroups = new SharedSecurityGroups(this, 'security-groups', {
      namePrefix: course.id,
      labels,
      courseCidr: course.network.cidr,
      sshAllowedCidrs: course.cloud.sshAllowedCidrs,
    });
    if (course.cloud.adminSshPublicKey !== undefined) {
      this.adminKeypair = new ComputeKeypairV2(this, 'admin-keypair', {
        name: `${course.id}-admin`,
        publicKey: course.cloud.adminSshPublicKey,
      });
    }

    new TerraformOutput(this, 'network_name', { value: this.network.network.name });
    new TerraformOutput(this, 'services_subnet_cidr', { value: this.network.servicesSubnet.cidr });
  }
}
