import { defineCheck } from '../../../src/exercises/kit.js';
import { ref, resources, webStack } from '../iac.js';

export default defineCheck(async (lab) => {
  const stack = webStack(lab);
  const rules = resources(stack, 'openstack_networking_secgroup_rule_v2').map(([, r]) => r);
  const opens8080 = rules.filter((r) => r.direction === 'ingress' && r.protocol === 'tcp' && Number(r.port_range_min) <= 8080 && 8080 <= Number(r.port_range_max ?? r.port_range_min));
  if (!opens8080.length) return lab.missing(`no security-group rule opens TCP port 8080 (ingress) in the synthesized stack (${rules.length} rule(s) found): add a NetworkingSecgroupRuleV2 and run \`npm run synth\``);
  const world = opens8080.find((r) => r.remote_ip_prefix === '0.0.0.0/0' || r.remote_ip_prefix === undefined);
  if (world) return lab.missing(`your 8080 rule admits ${world.remote_ip_prefix ?? 'any address (no remoteIpPrefix)'}: restrict it to the course network ${lab.course.network.cidr}`);
  const rule = opens8080.find((r) => r.remote_ip_prefix === lab.course.network.cidr);
  if (!rule) return lab.missing(`your 8080 rule admits ${String(opens8080[0]!.remote_ip_prefix)}, not the course network ${lab.course.network.cidr}`);
  const [min, max] = [Number(rule.port_range_min), Number(rule.port_range_max ?? rule.port_range_min)];
  if (min !== 8080 || max !== 8080) return lab.missing(`your rule opens TCP ${min}–${max}, more than port 8080: set portRangeMin and portRangeMax both to 8080`);
  if (rule.ethertype !== 'IPv4') return lab.missing(`your 8080 rule has ethertype ${String(rule.ethertype ?? '(none)')}: the course network ${lab.course.network.cidr} is IPv4`);
  // A group's name is not its ID: Terraform would send the name where Neutron wants a UUID.
  if (rule.security_group_id !== ref('openstack_networking_secgroup_v2.web.id')) return lab.missing(`your 8080 rule's securityGroupId is ${String(rule.security_group_id)}, not the web group's ID: set securityGroupId: web.id`);
  return `ingress TCP 8080 from ${lab.course.network.cidr} into the web group`;
});
