import { clientFor, type CloudRef } from './client.js';
import type { SecurityGroupRule } from './network.js';

/**
 * Exercise checks that ask the cloud. Each returns whether the learner's step is done and one
 * line saying what was found, so an exercise runner can print it as the check's result.
 */
export interface CloudCheckResult {
  ok: boolean;
  detail: string;
}

/** The server exists and is ACTIVE. */
export async function serverIsActive(cloud: CloudRef, serverName: string): Promise<CloudCheckResult> {
  const client = await clientFor(cloud);
  const matches = (await client.compute.listServers({ name: `^${escapeRegex(serverName)}$` })).filter((s) => s.name === serverName);
  if (matches.length === 0) return { ok: false, detail: `no server named ${serverName}` };
  const server = matches[0];
  if (server.status === 'ACTIVE') {
    return { ok: true, detail: `${serverName} is ACTIVE (${server.addresses.map((a) => a.addr).join(', ') || 'no address'})` };
  }
  return { ok: false, detail: `${serverName} is ${server.status}${server.fault ? `: ${server.fault}` : ''}` };
}

export interface RuleSpec {
  direction?: 'ingress' | 'egress';
  /** `tcp`, `udp`, `icmp`; undefined = any. */
  protocol?: string;
  /** A port the rule must cover (TCP/UDP). */
  port?: number;
  /** The rule must admit this source CIDR exactly (e.g. `0.0.0.0/0` or the course's SSH CIDR). */
  remoteIpPrefix?: string;
}

/** The security group exists and has a rule covering `spec`. */
export async function securityGroupHasRule(cloud: CloudRef, groupName: string, spec: RuleSpec): Promise<CloudCheckResult> {
  const client = await clientFor(cloud);
  const groups = (await client.network.listSecurityGroups({ name: groupName })).filter((g) => g.name === groupName);
  if (groups.length === 0) return { ok: false, detail: `no security group named ${groupName}` };
  const rule = groups.flatMap((g) => g.security_group_rules).find((r) => ruleCovers(r, spec));
  const wanted = describeSpec(spec);
  return rule
    ? { ok: true, detail: `${groupName} allows ${wanted} (rule ${rule.id})` }
    : { ok: false, detail: `${groupName} has no rule allowing ${wanted}` };
}

export function ruleCovers(rule: SecurityGroupRule, spec: RuleSpec): boolean {
  if (rule.direction !== (spec.direction ?? 'ingress')) return false;
  if (spec.protocol !== undefined && rule.protocol !== null && rule.protocol !== spec.protocol) return false;
  if (spec.port !== undefined && rule.port_range_min !== null) {
    if (spec.port < rule.port_range_min || spec.port > (rule.port_range_max ?? rule.port_range_min)) return false;
  }
  if (spec.remoteIpPrefix !== undefined && rule.remote_ip_prefix !== spec.remoteIpPrefix) return false;
  return true;
}

function describeSpec(spec: RuleSpec): string {
  const parts = [spec.direction ?? 'ingress', spec.protocol ?? 'any protocol'];
  if (spec.port !== undefined) parts.push(`port ${spec.port}`);
  if (spec.remoteIpPrefix !== undefined) parts.push(`from ${spec.remoteIpPrefix}`);
  return parts.join(' ');
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
