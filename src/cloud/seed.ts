import { randomBytes } from 'node:crypto';
import type { Course } from '../course/model.js';
import { DEFAULT_FLAVORS, DEFAULTS } from '../course/spec.js';
import type { OpenStackClient } from '../openstack/client.js';
import type { Progress } from './container.js';
import { SERVER_IMAGE } from './server-boot.js';

/**
 * Glance image property naming the Docker image a server of this image runs, with `--servers
 * containers` (containers/openstack/servers/resops_servers/driver.py; resops/server without it).
 */
export const DOCKER_IMAGE_PROPERTY = 'resops_docker_image';

/**
 * What a course needs in the rehearsal cloud, created idempotently through the client: flavors
 * named as in the course, its image, an external network with a floating-IP range, and (when
 * asked) a project and user per course. Nothing boots from the image's bytes (the fake driver
 * boots nothing; the container driver runs the Docker image its property names), so the image is
 * a few kilobytes, and flavors cost nothing.
 */

export interface SeedFlavor {
  name: string;
  vcpus: number;
  ramMb: number;
  diskGb: number;
}

export interface SeedRequest {
  flavors: SeedFlavor[];
  images: string[];
  externalNetworks: string[];
  /** Projects (course ids) to create, each with a `<id>-instructor` member user. */
  projects: string[];
  /** Passwords already on record (clouds.yaml); an existing user without one gets a new password. */
  knownPassword?: (username: string) => string | undefined;
}

/** The defaults of the course file (docs/course-file.md) plus the usual m1.* ladder. */
export function defaultSeed(): SeedRequest {
  const ladder: SeedFlavor[] = [
    { name: 'm1.tiny', vcpus: 1, ramMb: 512, diskGb: 1 },
    ...Object.values(DEFAULT_FLAVORS).map((f) => ({ name: f.name, vcpus: f.vcpus, ramMb: f.ramMb, diskGb: 10 })),
    { name: 'm1.xlarge', vcpus: 8, ramMb: 16384, diskGb: 10 },
  ];
  return { flavors: ladder, images: [DEFAULTS.cloud.image], externalNetworks: [DEFAULTS.cloud.externalNetwork], projects: [] };
}

/** Adds what `course` names (flavors, image, external network, its project) to `seed`. */
export function addCourse(seed: SeedRequest, course: Course): SeedRequest {
  const flavors = [...seed.flavors];
  for (const f of Object.values(course.cloud.flavors)) {
    if (!flavors.some((existing) => existing.name === f.name)) flavors.push({ name: f.name, vcpus: f.vcpus, ramMb: f.ramMb, diskGb: 10 });
  }
  const add = (list: string[], item: string) => (list.includes(item) ? list : [...list, item]);
  return {
    ...seed,
    flavors,
    images: add(seed.images, course.cloud.image),
    externalNetworks: add(seed.externalNetworks, course.cloud.externalNetwork),
    projects: add(seed.projects, course.id),
  };
}

export interface SeededProject {
  project: string;
  username: string;
  /** The user's password: the one on record, or a new one when it was created or reset now. */
  password: string;
}

export interface SeedResult {
  created: string[];
  existing: string[];
  projects: SeededProject[];
}

export interface ExternalRange {
  cidr: string;
  /** The subnet's gateway. With servers as containers, the host's side of the Docker network. */
  gateway: string;
  /** With servers as containers: the cloud container's own address on that Docker network. */
  cloud: string;
  /** The floating-IP pool. */
  start: string;
  end: string;
}

/**
 * Floating-IP ranges of the external networks, in the order they are created: DevStack's
 * `public` range (172.24.4.0/24) and the ones after it. Not the documentation ranges (RFC 5737):
 * with servers as containers the host routes the range into the cloud, and sandboxes and test
 * networks put real services there (this machine's Debian and npm mirror is 203.0.113.80).
 */
export function externalCidr(index: number): ExternalRange {
  const base = `172.24.${4 + index}`;
  return { cidr: `${base}.0/24`, gateway: `${base}.1`, cloud: `${base}.2`, start: `${base}.10`, end: `${base}.250` };
}

/** A small, valid-enough raw disk: nothing boots on the fake driver, but Glance stores real bytes. */
export function placeholderImage(): Uint8Array {
  const data = new Uint8Array(64 * 1024);
  data.set(new TextEncoder().encode('resops rehearsal cloud placeholder image (fake virt driver: never booted)\n'));
  return data;
}

export async function seedCloud(client: OpenStackClient, request: SeedRequest, progress: Progress): Promise<SeedResult> {
  const created: string[] = [];
  const existing: string[] = [];
  const note = (what: string, isNew: boolean) => {
    (isNew ? created : existing).push(what);
    if (isNew) progress(`  created ${what}`);
  };

  const flavors = await client.compute.listFlavors();
  for (const f of request.flavors) {
    const found = flavors.find((x) => x.name === f.name);
    if (found) {
      note(`flavor ${f.name}`, false);
      if (found.vcpus !== f.vcpus || found.ram !== f.ramMb) {
        progress(`  note: flavor ${f.name} exists with ${found.vcpus} vCPUs/${found.ram} MB, the course says ${f.vcpus}/${f.ramMb}`);
      }
      continue;
    }
    await client.compute.createFlavor({ name: f.name, vcpus: f.vcpus, ram: f.ramMb, disk: f.diskGb });
    note(`flavor ${f.name} (${f.vcpus} vCPU, ${f.ramMb} MB)`, true);
  }

  // Every seeded image is a Debian 12 server: with `--servers containers`, resops/server.
  const mapping = { [DOCKER_IMAGE_PROPERTY]: SERVER_IMAGE };
  const images = await client.image.listImages();
  for (const name of request.images) {
    const found = images.find((i) => i.name === name && i.status === 'active');
    if (found) {
      note(`image ${name}`, false);
      // Seeded before images had the mapping: add it (an instructor's own mapping is kept).
      if (found[DOCKER_IMAGE_PROPERTY] === undefined) await client.image.setProperties(found.id, mapping, found);
      continue;
    }
    await client.image.createImage({ name, data: placeholderImage(), visibility: 'public', properties: mapping });
    note(`image ${name} (servers run ${SERVER_IMAGE})`, true);
  }

  const networks = await client.network.listNetworks({}, true);
  const externals = networks.filter((n) => n['router:external']);
  for (const [index, name] of request.externalNetworks.entries()) {
    if (networks.some((n) => n.name === name)) {
      note(`external network ${name}`, false);
      continue;
    }
    const range = externalCidr(externals.length + index);
    const network = await client.network.create<{ id: string }>('networks', {
      name,
      'router:external': true,
      'provider:network_type': 'flat',
      // One flat network per physical network: name the physnet after the network.
      'provider:physical_network': name,
      shared: false,
    });
    await client.network.create('subnets', {
      name: `${name}-subnet`,
      network_id: network.id,
      ip_version: 4,
      cidr: range.cidr,
      gateway_ip: range.gateway,
      enable_dhcp: false,
      allocation_pools: [{ start: range.start, end: range.end }],
    });
    note(`external network ${name} (${range.cidr}, floating IPs ${range.start}-${range.end})`, true);
  }

  const projects: SeededProject[] = [];
  if (request.projects.length > 0) {
    const member = await client.identity.findRole('member');
    if (!member) throw new Error('Keystone has no "member" role (keystone-manage bootstrap creates it)');
    for (const name of request.projects) {
      let project = await client.identity.findProject(name);
      if (!project) {
        project = await client.identity.createProject(name, `rehearsal project of course ${name}`);
        note(`project ${name}`, true);
      } else {
        note(`project ${name}`, false);
      }
      const username = `${name}-instructor`;
      let user = await client.identity.findUser(username);
      let password = request.knownPassword?.(username);
      if (!user) {
        password = randomBytes(18).toString('base64url');
        user = await client.identity.createUser(username, password, project.id);
        note(`user ${username}`, true);
      } else if (password === undefined) {
        // The user exists but its password is not on record (clouds.yaml deleted): set a new one.
        password = randomBytes(18).toString('base64url');
        await client.identity.setUserPassword(user.id, password);
        note(`new password for user ${username}`, true);
      } else {
        note(`user ${username}`, false);
      }
      await client.identity.grantProjectRole(project.id, user.id, member.id);
      projects.push({ project: name, username, password });
    }
  }
  return { created, existing, projects };
}
