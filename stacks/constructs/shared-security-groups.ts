import { Construct } from 'constructs';
import { NetworkingSecgroupRuleV2, NetworkingSecgroupV2 } from './openstack.js';
import { tagsOf, type ResourceLabels } from './resource-labels.js';
import { tcpIngress } from './tcp-ingress.js';

/** Port node-exporter listens on; the only port the monitoring host may reach on every VM. */
export const NODE_EXPORTER_PORT = 9100;

export interface SharedSecurityGroupsProps {
  namePrefix: string;
  labels: ResourceLabels;
  /** The course CIDR: ICMP is allowed from inside the course only. */
  courseCidr: string;
  /** Who may reach SSH. Default: nobody outside the course — nothing is open unless written. */
  sshAllowedCidrs?: string[];
}

/**
 * Security groups every course VM shares. `monitoringSource` has no rules: a port that is a member
 * marks the monitoring host, and `scrapeTarget` admits node-exporter traffic from members only.
 */
export class SharedSecurityGroups extends Construct {
  readonly ssh: NetworkingSecgroupV2;
  readonly icmp: NetworkingSecgroupV2;
  readonly monitoringSource: NetworkingSecgroupV2;
  readonly scrapeTarget: NetworkingSecgroupV2;

  constructor(scope: Construct, id: string, props: SharedSecurityGroupsProps) {
    super(scope, id);
    const tags = tagsOf(props.labels);
    const group = (name: string, description: string) =>
      new NetworkingSecgroupV2(this, name, { name: `${props.namePrefix}-${name}`, description, tags });

    this.ssh = group('ssh', 'SSH from the CIDRs the course file allows');
    (props.sshAllowedCidrs ?? []).forEach((cidr, index) => {
      tcpIngress(this, `ssh-from-${index}`, this.ssh, 22, { cidr }, `SSH from ${cidr}`);
    });

    this.icmp = group('icmp', 'ICMP from inside the course network');
    new NetworkingSecgroupRuleV2(this, 'icmp-from-course', {
      securityGroupId: this.icmp.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'icmp',
      remoteIpPrefix: props.courseCidr,
      description: 'ICMP inside the course',
    });

    this.monitoringSource = group('monitoring-source', 'Members are monitoring hosts (no rules of its own)');

    this.scrapeTarget = group('scrape-target', 'node-exporter, reachable from the monitoring host only');
    tcpIngress(this, 'node-exporter-from-monitoring', this.scrapeTarget, NODE_EXPORTER_PORT, { groupId: this.monitoringSource.id }, 'node-exporter from the monitoring host');
  }
}
