import { defineCheck } from '../../../src/exercises/kit.js';
import { resources, webStack } from '../iac.js';

export default defineCheck(async (lab) => {
  const stack = webStack(lab);
  const rules = resources(stack, 'openstack_networking_secgroup_rule_v2').map(([, r]) => r);
  const opens8080 = rules.filter((r) => r.direction === 'ingress' && r.protocol === 'tcp' && Number(r.port_range_min) <= 8080 && 8080 <= Number(r.port_range_max ?? r.port_range_min));
  if (!opens8080.length) return lab.missing(`no security-group rule opens TCP port 8080 (ingress) in the synthesized stack (${rules.length} rule(s) found): add a NetworkingSecgroupRuleV2 and run \`npx tsx main.ts\``);
  const world = opens8080.find((r) => r.remote_ip_prefix === '0.0.0.0/0' || r.remote_ip_prefix === undefined);
  if (world) return lab.missing(`your 8080 rule admits ${world.remote_ip_prefix ?? 'any address (no remoteIpPrefix)'}: restrict it to the course network ${lab.course.network.cidr}`);
  const rule = opens8080.find((r) => r.remote_ip_prefix === lab.course.network.cidr);
  if (!rule) return lab.missing(`your 8080 rule admits ${String(opens8080[0]!.remote_ip_prefix)}, not the course network ${lab.course.network.cidr}`);
  if (!String(rule.security_group_id).includes('openstack_networking_secgroup_v2.web')) return lab.missing(`your 8080 rule belongs to ${String(rule.security_group_id)}, not to the web group: set securityGroupId: web.id`);
  return `ingress TCP 8080 from ${lab.course.network.cidr} into the web group`;
});
