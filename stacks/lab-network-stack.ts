import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ACCOUNT_NAMES } from '../src/course/naming.js';
import { addLearnerSubnet } from './constructs/learner-subnet.js';
import { LearnerProjectAccess } from './constructs/learner-project-access.js';
import { CourseNetwork } from './constructs/course-network.js';
import { ComputeKeypairV2, type NetworkingSubnetV2 } from './constructs/openstack.js';
import { SharedSecurityGroups } from './constructs/shared-security-groups.js';
import { CourseStack, type CourseStackProps } from './course-stack.js';
import { courseLabels } from './constructs/resource-labels.js';

/** The course network, its router and the security groups every VM shares. */
export class LabNetworkStack extends CourseStack {
  readonly network: CourseNetwork;
  readonly securityGroups: SharedSecurityGroups;
  /** Keypair of the instructors' automation, when the course file gives its key. */
  readonly adminKeypair?: ComputeKeypairV2;
  /** Project-per-learner: each learner's subnet, by learner id (otherwise their own stack holds it). */
  readonly learnerSubnets = new Map<string, NetworkingSubnetV2>();

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

    // Project-per-learner: only the network's owner may add learners' subnets, and share it.
    if (course.accounts.mode === 'project-per-learner') {
      for (const learner of course.learners) {
        const scope = new Construct(this, `learner-${learner.id}`);
        const { subnet } = addLearnerSubnet(scope, {
          // Not `<course>-<learner>-…`: that prefix is what a learner's teardown looks for, and this stays.
          name: `${course.id}-subnet-of-${learner.id}`,
          namePrefix: `${course.id}-${learner.id}`,
          // The course network's, not the learner's: `down --learner` leaves it, as it leaves the network.
          labels,
          networkId: this.network.network.id,
          routerId: this.network.router.id,
          cidr: learner.subnetCidr,
          ...(course.cloud.dnsServers ? { dnsServers: course.cloud.dnsServers } : {}),
        });
        this.learnerSubnets.set(learner.id, subnet);
        new LearnerProjectAccess(scope, 'access', {
          projectName: ACCOUNT_NAMES.learner(course, learner),
          networkId: this.network.network.id,
          securityGroupIds: [this.securityGroups.ssh.id, this.securityGroups.icmp.id, this.securityGroups.scrapeTarget.id],
        });
      }
    }

    new TerraformOutput(this, 'network_name', { value: this.network.network.name });
    new TerraformOutput(this, 'services_subnet_cidr', { value: this.network.servicesSubnet.cidr });
  }
}
