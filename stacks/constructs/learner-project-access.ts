import { Construct } from 'constructs';
import { DataOpenstackIdentityProjectV3, NetworkingRbacPolicyV2 } from './openstack.js';

export interface LearnerProjectAccessProps {
  /** The learner's Keystone project (`resops accounts create` makes it): looked up by name at plan time. */
  projectName: string;
  /** The course network, shared to the project. */
  networkId: string;
  /** The shared security groups the learner's VMs are members of (SSH, ICMP, scrape target). */
  securityGroupIds: string[];
}

/**
 * What a learner's own project may use of the course's (project-per-learner): the course network,
 * to put their VMs on their subnet, and the shared security groups, to put them in. Neutron RBAC
 * `access_as_shared` to that one project: other projects see neither, and the learner gets no
 * right to change them.
 */
export class LearnerProjectAccess extends Construct {
  readonly project: DataOpenstackIdentityProjectV3;

  constructor(scope: Construct, id: string, props: LearnerProjectAccessProps) {
    super(scope, id);
    this.project = new DataOpenstackIdentityProjectV3(this, 'project', { name: props.projectName });
    new NetworkingRbacPolicyV2(this, 'network', {
      action: 'access_as_shared',
      objectType: 'network',
      objectId: props.networkId,
      targetTenant: this.project.id,
    });
    props.securityGroupIds.forEach((groupId, index) => {
      new NetworkingRbacPolicyV2(this, `security-group-${index}`, {
        action: 'access_as_shared',
        objectType: 'security_group',
        objectId: groupId,
        targetTenant: this.project.id,
      });
    });
  }
}
