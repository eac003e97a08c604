import type { Construct } from 'constructs';
import { NetworkingSecgroupRuleV2, type NetworkingSecgroupV2 } from './openstack.js';

/** Where a rule admits traffic from: addresses, or the ports that are members of a group. */
export type IngressSource = { cidr: string } | { groupId: string };

/** One TCP port of `group` opened to `from`; every rule of the course names its source. */
export function tcpIngress(scope: Construct, ruleId: string, group: NetworkingSecgroupV2, port: number, from: IngressSource, description: string): NetworkingSecgroupRuleV2 {
  return new NetworkingSecgroupRuleV2(scope, ruleId, {
    securityGroupId: group.id,
    direction: 'ingress',
    ethertype: 'IPv4',
    protocol: 'tcp',
    portRangeMin: port,
    portRangeMax: port,
    ...('cidr' in from ? { remoteIpPrefix: from.cidr } : { remoteGroupId: from.groupId }),
    description,
  });
}
