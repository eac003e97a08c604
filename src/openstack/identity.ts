import type { OpenStackSession } from './session.js';

/** Keystone v3 calls the rehearsal cloud needs (projects, users, role grants, own password). */

export interface Project {
  id: string;
  name: string;
  domain_id: string;
}

export interface User {
  id: string;
  name: string;
  domain_id: string;
  default_project_id?: string;
}

export interface Role {
  id: string;
  name: string;
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

  async findUser(name: string, domainId = 'default'): Promise<User | undefined> {
    const body = await this.session.json<{ users: User[] }>('identity', 'GET', '/users', { query: { name, domain_id: domainId } });
    return body.users[0];
  }

  async createUser(name: string, password: string, defaultProjectId: string, domainId = 'default'): Promise<User> {
    const body = await this.session.json<{ user: User }>('identity', 'POST', '/users', {
      body: { user: { name, password, default_project_id: defaultProjectId, domain_id: domainId, enabled: true } },
    });
    return body.user;
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
}
