import type { OpenStackSession } from './session.js';

/**
 * Keystone v3 calls the rehearsal cloud needs (projects, users, role grants, own password, the
 * catalog's endpoints), EC2 credentials: the keys of the object store's S3 API, which the
 * pipeline makes for one run, and application credentials: Prometheus' discovery credential.
 */

export interface Project {
  id: string;
  name: string;
  domain_id: string;
  description?: string | null;
}

export interface User {
  id: string;
  name: string;
  domain_id: string;
  default_project_id?: string;
  /** resops writes `resops-course=<id>` here on the users it makes: the leak check's label. */
  description?: string;
}

/** One role assignment as Keystone lists it with `include_names`. */
export interface RoleAssignment {
  role: { id: string; name?: string };
  user?: { id: string; name?: string };
  scope: { project?: { id: string; name?: string } };
}

export interface Role {
  id: string;
  name: string;
}

/** A catalog entry's address for one interface (`public`, `internal` or `admin`). */
export interface Endpoint {
  id: string;
  interface: string;
  url: string;
  service_id: string;
  region_id?: string;
}

/** An EC2 credential: `access` and `secret` sign S3 requests as the user, in the project. */
export interface Ec2Credential {
  access: string;
  secret: string;
  project_id: string;
  user_id: string;
}

/** One request an application credential may make (Keystone's access rules; `path` may hold `*`, `**`). */
export interface AccessRule {
  service: string;
  method: string;
  path: string;
}

/** An application credential: `secret` is only in the answer to its creation. */
export interface ApplicationCredential {
  id: string;
  name: string;
  description?: string | null;
  project_id: string;
  secret?: string;
  access_rules?: AccessRule[];
  roles?: Array<{ id: string; name: string }>;
  /** ISO time; null: never expires. */
  expires_at?: string | null;
}

export interface NewApplicationCredential {
  name: string;
  description: string;
  /** Absent: no rules, the credential may do whatever its roles allow. */
  access_rules?: AccessRule[];
  /** ISO time after which Keystone refuses it; absent: it never expires. */
  expires_at?: string;
  /** Role names, each one the caller holds in the project; absent: all of the caller's. */
  roles?: string[];
}

export class IdentityApi {
  constructor(private readonly session: OpenStackSession) {}

  async findProject(name: string, domainId = 'default'): Promise<Project | undefined> {
    const body = await this.session.json<{ projects: Project[] }>('identity', 'GET', '/projects', { query: { name, domain_id: domainId } });
    return body.projects[0];
  }

  async createProject(name: string, description: string, domainId = 'default'): Promise<Project> {
    const body = await this.session.json<{ project: Project }>('identity', 'POST', '/projects', {
      body: { project: { name, description, domain_id: domainId, enabled: true } },
    });
    return body.project;
  }

  /** Admin: every project of the domain. */
  async listProjects(domainId = 'default'): Promise<Project[]> {
    const body = await this.session.json<{ projects: Project[] }>('identity', 'GET', '/projects', { query: { domain_id: domainId } });
    return body.projects;
  }

  /**
   * Admin: deletes a project (404: already gone). Keystone deletes only the project: servers,
   * ports and volumes in it stay, so the caller empties it first.
   */
  async deleteProject(projectId: string): Promise<void> {
    await this.session.call('identity', 'DELETE', `/projects/${encodeURIComponent(projectId)}`, { okStatus: [204, 404] });
  }

  async findUser(name: string, domainId = 'default'): Promise<User | undefined> {
    const body = await this.session.json<{ users: User[] }>('identity', 'GET', '/users', { query: { name, domain_id: domainId } });
    return body.users[0];
  }

  async createUser(name: string, password: string, defaultProjectId: string, domainId = 'default', description?: string): Promise<User> {
    const body = await this.session.json<{ user: User }>('identity', 'POST', '/users', {
      body: { user: { name, password, default_project_id: defaultProjectId, domain_id: domainId, enabled: true, ...(description ? { description } : {}) } },
    });
    return body.user;
  }

  /** Admin: every user of the domain (a class's cloud has hundreds, not millions). */
  async listUsers(domainId = 'default'): Promise<User[]> {
    const body = await this.session.json<{ users: User[] }>('identity', 'GET', '/users', { query: { domain_id: domainId } });
    return body.users;
  }

  /** Admin: who holds which role in the project, by user (group assignments are not listed). */
  async listProjectRoleAssignments(projectId: string): Promise<RoleAssignment[]> {
    const body = await this.session.json<{ role_assignments: RoleAssignment[] }>('identity', 'GET', '/role_assignments', {
      query: { 'scope.project.id': projectId, include_names: 'true' },
    });
    return body.role_assignments.filter((a) => a.user !== undefined);
  }

  /** Admin: takes the role away (404: already gone, as wanted). */
  async revokeProjectRole(projectId: string, userId: string, roleId: string): Promise<void> {
    await this.session.call('identity', 'DELETE', `/projects/${projectId}/users/${userId}/roles/${roleId}`, { okStatus: [204, 404] });
  }

  /** Admin: deletes a user, with their role assignments and application credentials (404: already gone). */
  async deleteUser(userId: string): Promise<void> {
    await this.session.call('identity', 'DELETE', `/users/${encodeURIComponent(userId)}`, { okStatus: [204, 404] });
  }

  /** Admin: sets another user's password. */
  async setUserPassword(userId: string, password: string): Promise<void> {
    await this.session.json('identity', 'PATCH', `/users/${userId}`, { body: { user: { password } } });
  }

  /** Self-service password change; revokes the caller's tokens, so reconnect afterwards. */
  async changeOwnPassword(userId: string, originalPassword: string, password: string): Promise<void> {
    await this.session.call('identity', 'POST', `/users/${userId}/password`, {
      body: { user: { original_password: originalPassword, password } },
    });
  }

  async findRole(name: string): Promise<Role | undefined> {
    const body = await this.session.json<{ roles: Role[] }>('identity', 'GET', '/roles', { query: { name } });
    return body.roles[0];
  }

  /** Idempotent (PUT). */
  async grantProjectRole(projectId: string, userId: string, roleId: string): Promise<void> {
    await this.session.call('identity', 'PUT', `/projects/${projectId}/users/${userId}/roles/${roleId}`);
  }

  /** A new EC2 credential of `userId` in `projectId` (a user may make their own). */
  async createEc2Credential(userId: string, projectId: string): Promise<Ec2Credential> {
    const body = await this.session.json<{ credential: Ec2Credential }>('identity', 'POST', `/users/${userId}/credentials/OS-EC2`, {
      body: { tenant_id: projectId },
    });
    return body.credential;
  }

  /** Deletes it (404: already gone, as wanted). */
  async deleteEc2Credential(userId: string, access: string): Promise<void> {
    await this.session.call('identity', 'DELETE', `/users/${userId}/credentials/OS-EC2/${encodeURIComponent(access)}`, { okStatus: [204, 404] });
  }

  async listEc2Credentials(userId: string): Promise<Array<Pick<Ec2Credential, 'access' | 'project_id'>>> {
    const body = await this.session.json<{ credentials: Ec2Credential[] }>('identity', 'GET', `/users/${userId}/credentials/OS-EC2`);
    return body.credentials.map((c) => ({ access: c.access, project_id: c.project_id }));
  }

  /**
   * A new application credential of `userId` (the caller's own) in the token's project. Keystone
   * refuses it (403) to a token that itself comes from a restricted application credential.
   */
  async createApplicationCredential(userId: string, wanted: NewApplicationCredential): Promise<ApplicationCredential & { secret: string }> {
    const { roles, ...rest } = wanted;
    const body = await this.session.json<{ application_credential: ApplicationCredential & { secret: string } }>('identity', 'POST', `/users/${userId}/application_credentials`, {
      body: { application_credential: { ...rest, unrestricted: false, ...(roles ? { roles: roles.map((name) => ({ name })) } : {}) } },
    });
    return body.application_credential;
  }

  /** Every application credential of the user (the caller's own, or anyone's for an admin). */
  async listApplicationCredentials(userId: string): Promise<ApplicationCredential[]> {
    const body = await this.session.json<{ application_credentials: ApplicationCredential[] }>('identity', 'GET', `/users/${userId}/application_credentials`);
    return body.application_credentials;
  }

  /** The user's application credentials of that name (names are unique per user: none or one). */
  async findApplicationCredentials(userId: string, name: string): Promise<ApplicationCredential[]> {
    const body = await this.session.json<{ application_credentials: ApplicationCredential[] }>('identity', 'GET', `/users/${userId}/application_credentials`, { query: { name } });
    return body.application_credentials;
  }

  /** Deletes it (404: already gone, as wanted). */
  async deleteApplicationCredential(userId: string, id: string): Promise<void> {
    await this.session.call('identity', 'DELETE', `/users/${userId}/application_credentials/${encodeURIComponent(id)}`, { okStatus: [204, 404] });
  }

  /** Admin: the catalog's endpoints, of one interface when given. */
  async listEndpoints(iface?: Endpoint['interface']): Promise<Endpoint[]> {
    const body = await this.session.json<{ endpoints: Endpoint[] }>('identity', 'GET', '/endpoints', iface ? { query: { interface: iface } } : {});
    return body.endpoints;
  }

  /** Admin: moves an endpoint to another URL. */
  async setEndpointUrl(id: string, url: string): Promise<void> {
    await this.session.json('identity', 'PATCH', `/endpoints/${encodeURIComponent(id)}`, { body: { endpoint: { url } } });
  }
}
