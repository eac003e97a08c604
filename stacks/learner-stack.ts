import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { Learner } from '../src/course/model.js';
import { ACCOUNT_NAMES } from '../src/course/naming.js';
import { LearnerEnvironment } from './constructs/learner-environment.js';
import { CourseStack, type CourseStackProps } from './course-stack.js';
import type { LabNetworkStack } from './lab-network-stack.js';
import { courseLabels } from './constructs/resource-labels.js';

export interface LearnerStackProps extends CourseStackProps {
  learner: Learner;
  lab: LabNetworkStack;
}

/** One learner's environment, in a stack of its own so it can be rebuilt or removed alone. */
export class LearnerStack extends CourseStack {
  readonly environment: LearnerEnvironment;

  constructor(scope: Construct, name: string, props: LearnerStackProps) {
    // Project-per-learner: applied with the learner's own credential, in their project.
    const perLearner = props.course.accounts.mode === 'project-per-learner';
    super(scope, name, { ...props, ...(perLearner ? { cloud: ACCOUNT_NAMES.cloud(props.course) } : {}) });
    const { course, learner, lab } = props;
    const groups = lab.securityGroups;
    const ownSubnet = lab.learnerSubnets.get(learner.id);

    this.environment = new LearnerEnvironment(this, 'environment', {
      namePrefix: `${course.id}-${learner.id}`,
      labels: courseLabels(course, 'learner', learner.id),
      learner,
      networkId: lab.network.network.id,
      subnet: ownSubnet ? { id: ownSubnet.id } : { cidr: learner.subnetCidr, routerId: lab.network.router.id, ...(course.cloud.dnsServers ? { dnsServers: course.cloud.dnsServers } : {}) },
      sharedSecurityGroupIds: [groups.ssh.id, groups.icmp.id, groups.scrapeTarget.id],
      imageId: this.courseImage(course).id,
      flavorId: this.courseFlavor(course, 'learner').id,
      externalNetwork: course.cloud.externalNetwork,
      vms: learner.vms,
      volumeGb: learner.volumeGb,
      adminSshPublicKey: course.cloud.adminSshPublicKey,
    });

    new TerraformOutput(this, 'ssh_user', { value: learner.id });
    new TerraformOutput(this, 'vms', {
      value: this.environment.vms.map((vm) => ({
        name: vm.instance.name,
        // The server's ID: `configure` files its host key under it (a rebuilt VM is a new host).
        id: vm.instance.id,
        address: vm.accessAddress,
        fixed_ip: vm.instance.accessIpV4,
      })),
    });
  }
}
