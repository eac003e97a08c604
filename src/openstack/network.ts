import type { OpenStackSession } from './session.js';

/** Neutron calls the toolkit needs. Lists are scoped to the token's project (admins see all otherwise). */

interface Tagged {
  id: string;
  name: string;
  project_id: string;
  tags: string[];
  description?: string;
  /** ISO time Neutron made it (a standard attribute of every resource). */
  created_at?: string;
}

export interface Network extends Tagged {
  status: string;
  'router:external'?: boolean;
  subnets: string[];
  shared?: boolean;
  /** The largest packet the network carries (vxlan: 1450). */
  mtu?: number;
}

export interface Subnet extends Tagged {
  network_id: string;
  cidr: string;
  gateway_ip: string | null;
}

export interface Router extends Tagged {
  status: string;
  external_gateway_info: { network_id: string } | null;
}

export interface Port extends Tagged {
  network_id: string;
  device_id: string;
  device_owner: string;
  status: string;
  fixed_ips: Array<{ subnet_id: string; ip_address: string }>;
}

export interface FloatingIp extends Omit<Tagged, 'name'> {
  floating_ip_address: string;
  floating_network_id: string;
  port_id: string | null;
  fixed_ip_address: string | null;
  status: string;
  /** Floating IPs have no name; kept for uniform handling (empty). */
  name?: string;
}

export interface SecurityGroupRule {
  id: string;
  direction: 'ingress' | 'egress';
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  description?: string;
}

export interface SecurityGroup extends Tagged {
  security_group_rules: SecurityGroupRule[];
}

/** A Neutron agent (admin only): the Linux bridge and L3 agents of a cloud whose servers run. */
export interface NetworkAgent {
  id: string;
  binary: string;
  host: string;
  agent_type: string;
  alive: boolean;
  admin_state_up: boolean;
  /** Last report (UTC, without a zone). */
  heartbeat_timestamp?: string;
}

export type NetworkResource = 'networks' | 'subnets' | 'routers' | 'ports' | 'floatingips' | 'security-groups';

/** JSON keys of each collection (security groups are `security_groups` in bodies, `security-groups` in paths). */
const COLLECTION_KEY: Record<NetworkResource, string> = {
  networks: 'networks',
  subnets: 'subnets',
  routers: 'routers',
  ports: 'ports',
  floatingips: 'floatingips',
  'security-groups': 'security_groups',
};
const SINGULAR_KEY: Record<NetworkResource, string> = {
  networks: 'network',
  subnets: 'subnet',
  routers: 'router',
  ports: 'port',
  floatingips: 'floatingip',
  'security-groups': 'security_group',
};

export class NetworkApi {
  constructor(private readonly session: OpenStackSession) {}

  private listOf<T>(resource: NetworkResource, query: Record<string, string> = {}, allProjects = false): Promise<T[]> {
    const scope = allProjects ? {} : { project_id: this.session.projectId };
    return this.session.list<T>('network', `/${resource}`, COLLECTION_KEY[resource], { ...scope, ...query });
  }

  listNetworks(query: Record<string, string> = {}, allProjects = false): Promise<Network[]> {
    return this.listOf<Network>('networks', query, allProjects);
  }
  listSubnets(query: Record<string, string> = {}): Promise<Subnet[]> {
    return this.listOf<Subnet>('subnets', query);
  }
  listRouters(query: Record<string, string> = {}): Promise<Router[]> {
    return this.listOf<Router>('routers', query);
  }
  listPorts(query: Record<string, string> = {}): Promise<Port[]> {
    return this.listOf<Port>('ports', query);
  }
  listFloatingIps(query: Record<string, string> = {}): Promise<FloatingIp[]> {
    return this.listOf<FloatingIp>('floatingips', query);
  }
  listSecurityGroups(query: Record<string, string> = {}): Promise<SecurityGroup[]> {
    return this.listOf<SecurityGroup>('security-groups', query);
  }

  /** Neutron's agents (admin only; none on a cloud without agents). */
  listAgents(): Promise<NetworkAgent[]> {
    return this.session.list<NetworkAgent>('network', '/agents', 'agents', {});
  }

  /** Creates any Neutron resource; `fields` is the body without the wrapping key. */
  async create<T>(resource: NetworkResource, fields: Record<string, unknown>): Promise<T> {
    const key = SINGULAR_KEY[resource];
    const body = await this.session.json<Record<string, T>>('network', 'POST', `/${resource}`, { body: { [key]: fields } });
    return body[key];
  }

  async createSecurityGroupRule(rule: Partial<SecurityGroupRule> & { security_group_id: string; direction: string }): Promise<SecurityGroupRule> {
    const body = await this.session.json<{ security_group_rule: SecurityGroupRule }>('network', 'POST', '/security-group-rules', {
      body: { security_group_rule: rule },
    });
    return body.security_group_rule;
  }

  /** Returns false when the rule was already gone. */
  async deleteSecurityGroupRule(id: string): Promise<boolean> {
    return (await this.session.call('network', 'DELETE', `/security-group-rules/${id}`, { okStatus: [404] })) !== 404;
  }

  /** Updates fields of any Neutron resource (`PUT /<resource>/<id>`); the resource as it is now. */
  async update<T>(resource: NetworkResource, id: string, fields: Record<string, unknown>): Promise<T> {
    const key = SINGULAR_KEY[resource];
    const body = await this.session.json<Record<string, T>>('network', 'PUT', `/${resource}/${id}`, { body: { [key]: fields } });
    return body[key];
  }

  /** Returns false when the resource was already gone. */
  async delete(resource: NetworkResource, id: string): Promise<boolean> {
    return (await this.session.call('network', 'DELETE', `/${resource}/${id}`, { okStatus: [404] })) !== 404;
  }

  /** Replaces the tags of a resource (the way Terraform sets them: after creation). */
  async setTags(resource: NetworkResource, id: string, tags: string[]): Promise<void> {
    await this.session.json('network', 'PUT', `/${resource}/${id}/tags`, { body: { tags } });
  }

  async addRouterInterface(routerId: string, subnetId: string): Promise<void> {
    await this.session.json('network', 'PUT', `/routers/${routerId}/add_router_interface`, { body: { subnet_id: subnetId } });
  }

  /** Removes the interface a port gives a router; 404 (already gone) is fine. */
  async removeRouterInterface(routerId: string, portId: string): Promise<void> {
    await this.session.request('network', 'PUT', `/routers/${routerId}/remove_router_interface`, { body: { port_id: portId }, okStatus: [404] });
  }

  async setRouterGateway(routerId: string, networkId: string | null): Promise<void> {
    const info = networkId ? { network_id: networkId } : {};
    await this.session.json('network', 'PUT', `/routers/${routerId}`, { body: { router: { external_gateway_info: info } } });
  }

  /** `quotas/{project}/details`: limit and used of every network quota. */
  async quotaDetail(projectId: string): Promise<Record<string, { limit: number; used: number; reserved?: number }>> {
    const body = await this.session.json<{ quota: Record<string, { limit: number; used: number; reserved?: number }> }>(
      'network', 'GET', `/quotas/${projectId}/details`,
    );
    return body.quota;
  }

  /** Admin only. Keys: network, subnet, port, router, floatingip, security_group, security_group_rule. */
  async updateQuota(projectId: string, quotas: Record<string, number>): Promise<void> {
    await this.session.json('network', 'PUT', `/quotas/${projectId}`, { body: { quota: quotas } });
  }
}
