/**
 * The Ansible inventory of a course, built the same way for both targets: hosts grouped by
 * machine role (`learners`, `monitoring`, `workers`) plus one group per learner
 * (`learner_<id>`, what `configure --limit` selects), each host with ansible_host, ansible_port,
 * ansible_user and the PATH of a private key (never a key itself).
 *
 * The transforms here are pure: from Terraform outputs (openstack) or from the containers Docker
 * lists (local) to an Inventory. Collecting those inputs lives in ./collect-*.ts.
 */
import { stringify } from 'yaml';
import { deploysStorage, type Course, type Learner, type Target } from '../course/model.js';
import { LEARNER_DATA_DIR } from '../course/naming.js';

/**
 * `controller` is this machine itself (local target with monitoring only): the local target's
 * monitoring services are containers without SSH, configured through their published APIs.
 */
export type HostGroup = 'learners' | 'monitoring' | 'workers' | 'controller';
export const HOST_GROUPS: readonly HostGroup[] = ['learners', 'monitoring', 'workers', 'controller'];

export interface InventoryHost {
  /** Inventory name: the VM / container name (`<course>-<learner>-vm1`, `<course>-worker1`). */
  name: string;
  group: HostGroup;
  learner?: string;
  vars: Record<string, unknown>;
}

export interface Inventory {
  course: string;
  target: Target;
  /** Variables of every host (group `all`). */
  vars: Record<string, unknown>;
  /** Variables per role group. */
  groupVars: Partial<Record<HostGroup, Record<string, unknown>>>;
  hosts: InventoryHost[];
  /** What is missing or odd (a learner not deployed, no key given…), for the user. */
  warnings: string[];
}

/** Private keys, by path. `default` for every host; `learnerDir/<learner id>` wins for that learner's VMs. */
export interface SshKeys {
  default?: string;
  learnerDir?: string;
}

/**
 * How the toolkit logs in to every machine of the course (src/access/admin-access.ts): the image
 * user, with the automation key's path or — when the instructors' own key is authorised — `--key`.
 * Without it, learner VMs are reached as each learner with their own key (what a learner's own
 * inventory in the exercises does).
 */
export interface AdminLogin {
  user: string;
  privateKeyFile?: string;
}

/** `learner_<id>`: learner ids are `[a-z][a-z0-9-]*`, and Ansible group names are identifiers. */
export function learnerGroup(learnerId: string): string {
  return `learner_${learnerId.replace(/-/g, '_')}`;
}

/** The key path for a host, given which learner (if any) owns it and which files exist. */
export function keyFor(keys: SshKeys, learnerId: string | undefined, exists: (path: string) => boolean): string | undefined {
  if (learnerId && keys.learnerDir) {
    const path = `${keys.learnerDir.replace(/\/+$/, '')}/${learnerId}`;
    if (exists(path)) return path;
  }
  return keys.default;
}

function keyVars(key: string | undefined): Record<string, unknown> {
  return key ? { ansible_ssh_private_key_file: key } : {};
}

/** Variables every host of the course gets, whatever the target. */
function courseVars(course: Course): Record<string, unknown> {
  return {
    resops_course_id: course.id,
    resops_target: course.target,
    resops_monitoring_enabled: course.monitoring.enabled,
    resops_monitoring_retention: course.monitoring.retention,
    resops_services_subnet: course.network.servicesSubnet,
    resops_pipeline_storage: course.pipeline.storage,
    ansible_python_interpreter: '/usr/bin/python3',
  };
}

function learnerVars(learner: Learner, vm: number, fixedIp: string | undefined, course: Course): Record<string, unknown> {
  return {
    resops_learner: learner.id,
    // A public key: safe in a file, and what the common role authorises for the learner.
    resops_learner_ssh_public_key: learner.sshPublicKey,
    resops_vm: `vm${vm}`,
    ...(fixedIp ? { resops_fixed_ip: fixedIp } : {}),
    resops_scrape: { targets: [`${fixedIp ?? `${course.id}-${learner.id}-vm${vm}`}:9100`], labels: { course: course.id, learner: learner.id, vm: `vm${vm}` } },
  };
}

// ---------------------------------------------------------------------------------------------
// openstack: from `terraform output -json` of each stack

export interface LearnerStackOutputs {
  ssh_user?: unknown;
  vms?: unknown;
}

/** Output values by stack, as `readStackOutputs` returns them (`undefined`: stack not deployed). */
export interface CourseOutputs {
  learners: Record<string, Record<string, unknown> | undefined>;
  monitoring?: Record<string, unknown>;
  pipeline?: Record<string, unknown>;
}

export interface OpenstackInventoryOptions {
  keys: SshKeys;
  /** Log in as the course's admin user everywhere (default: only when the course names an admin key). */
  admin?: AdminLogin;
  /** known_hosts file of the course (trust on first use, then checked). */
  knownHostsFile: string;
  exists?: (path: string) => boolean;
}

interface VmOutput {
  name: string;
  /** The server's ID (stacks applied before it was an output have none). */
  id?: string;
  address?: string;
  fixedIp?: string;
}

function vmOutputs(value: unknown): VmOutput[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const vms: VmOutput[] = [];
  for (const entry of value) {
    if (entry === null || typeof entry !== 'object') return undefined;
    const { name, id: rawId, address, fixed_ip: fixedIp } = entry as Record<string, unknown>;
    if (typeof name !== 'string') return undefined;
    const id = serverId(rawId);
    vms.push({
      name,
      ...(id ? { id } : {}),
      ...(typeof address === 'string' && address ? { address } : {}),
      ...(typeof fixedIp === 'string' && fixedIp ? { fixedIp } : {}),
    });
  }
  return vms;
}

/** A server ID fit for an ssh option (Nova's are UUIDs); anything else is not used. */
function serverId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(value) ? value : undefined;
}

function stringOutput(outputs: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = outputs?.[name];
  return typeof value === 'string' && value ? value : undefined;
}

/**
 * Learner VMs are reached on their floating IP; as the image user with the instructors' key when
 * the course has `cloud.admin_ssh_public_key` (that user is authorised on every VM), else as the
 * learner (then the learner's private key must be given). Workers have no floating IP: they are
 * reached through the monitoring host (ProxyCommand with the same key).
 */
export function inventoryFromTerraformOutputs(course: Course, outputs: CourseOutputs, options: OpenstackInventoryOptions): Inventory {
  const exists = options.exists ?? (() => false);
  const warnings: string[] = [];
  const hosts: InventoryHost[] = [];
  const admin = options.admin !== undefined || course.cloud.adminSshPublicKey !== undefined;
  const adminUser = options.admin?.user ?? course.cloud.imageUser;
  const adminKey = options.admin?.privateKeyFile ?? options.keys.default;
  if (!admin) {
    warnings.push(`${course.file}: cloud.admin_ssh_public_key is not set: Ansible logs in to learner VMs as each learner (give their keys with --learner-keys) and cannot reach the monitoring host or workers unless your own key is authorised there`);
  }
  if (!adminKey && !options.keys.learnerDir) {
    warnings.push('no private key given (--key / RESOPS_SSH_KEY): ssh uses your agent and default keys');
  }

  for (const learner of course.learners) {
    const stack = outputs.learners[learner.id];
    const vms = vmOutputs(stack?.vms);
    if (!stack || !vms) {
      warnings.push(`learner ${learner.id}: no \`vms\` output in its stack (not deployed yet? run \`resops up\`)`);
      continue;
    }
    vms.forEach((vm, index) => {
      if (!vm.address) {
        warnings.push(`${vm.name}: no address in the stack outputs; skipped`);
        return;
      }
      const user = admin ? adminUser : (stringOutput(stack, 'ssh_user') ?? learner.id);
      const key = admin ? adminKey : keyFor(options.keys, learner.id, exists);
      hosts.push({
        name: vm.name,
        group: 'learners',
        learner: learner.id,
        vars: {
          ansible_host: vm.address,
          ansible_port: 22,
          ansible_user: user,
          ...keyVars(key),
          ...(vm.id ? { ansible_ssh_common_args: knownHostsArgs(options.knownHostsFile, vm.id) } : {}),
          ...learnerVars(learner, index + 1, vm.fixedIp, course),
          // Where the local target's VMs have theirs: the exercises (a sick node's full disk) name one path.
          ...(learner.volumeGb > 0 ? { common_data_device: '/dev/vdb', common_data_mountpoint: LEARNER_DATA_DIR, common_data_mode: '1777' } : {}),
        },
      });
    });
  }

  let jump: { user: string; address: string; id?: string } | undefined;
  if (course.monitoring.enabled) {
    const address = stringOutput(outputs.monitoring, 'address');
    const user = options.admin?.user ?? stringOutput(outputs.monitoring, 'ssh_user') ?? course.cloud.imageUser;
    if (!address) {
      warnings.push('monitoring: no `address` output in its stack (not deployed yet?)');
    } else {
      const id = serverId(outputs.monitoring?.id);
      jump = { user, address, ...(id ? { id } : {}) };
      const fixedIp = stringOutput(outputs.monitoring, 'fixed_ip');
      hosts.push({
        name: `${course.id}-monitoring`,
        group: 'monitoring',
        vars: {
          ansible_host: address,
          ansible_port: 22,
          ansible_user: user,
          ...keyVars(adminKey),
          ...(id ? { ansible_ssh_common_args: knownHostsArgs(options.knownHostsFile, id) } : {}),
          ...(fixedIp ? { resops_fixed_ip: fixedIp } : {}),
        },
      });
    }
  }

  if (course.pipeline.workers > 0) {
    const workers = vmOutputs(outputs.pipeline?.workers);
    if (!workers) {
      warnings.push('pipeline: no `workers` output in its stack (not deployed yet?)');
    } else if (!jump) {
      warnings.push(`pipeline: ${workers.length} workers have no floating IP and the monitoring host (their jump host) is ${course.monitoring.enabled ? 'not deployed' : 'disabled'}: workers left out`);
    } else {
      const key = adminKey;
      const proxy = [
        'ssh -W %h:%p -q',
        knownHostsArgs(options.knownHostsFile, jump.id),
        ...(key ? [`-i ${key}`] : []),
        `${jump.user}@${jump.address}`,
      ].join(' ');
      workers.forEach((worker, index) => {
        if (!worker.fixedIp) {
          warnings.push(`${worker.name}: no fixed_ip in the stack outputs; skipped`);
          return;
        }
        hosts.push({
          name: worker.name,
          group: 'workers',
          vars: {
            ansible_host: worker.fixedIp,
            ansible_port: 22,
            ansible_user: course.cloud.imageUser,
            ...keyVars(key),
            ansible_ssh_common_args: `${knownHostsArgs(options.knownHostsFile, worker.id)} -o ProxyCommand="${proxy}"`,
            resops_worker: `worker${index + 1}`,
            resops_fixed_ip: worker.fixedIp,
            // What the flavor promises, for Slurm's node list: the controller writes every node's
            // line without logging in to it, and a server may see more of its host than it is given.
            resops_vcpus: course.cloud.flavors.worker.vcpus,
            resops_ram_mb: course.cloud.flavors.worker.ramMb,
            resops_scrape: { targets: [`${worker.fixedIp}:9100`], labels: { course: course.id, worker: `worker${index + 1}` } },
            // The shared volume is attached to worker 1, which exports it to the others.
            ...(index === 0 && deploysStorage(course.pipeline, 'volume') ? { common_data_device: '/dev/vdb', common_data_mountpoint: '/srv/pipeline' } : {}),
          },
        });
      });
    }
  }

  const container = stringOutput(outputs.pipeline, 'container');
  return {
    course: course.id,
    target: 'openstack',
    vars: {
      ...courseVars(course),
      ...(container ? { resops_pipeline_container: container } : {}),
      ansible_ssh_common_args: knownHostsArgs(options.knownHostsFile),
    },
    groupVars: {
      monitoring: {
        // The monitoring host's data volume holds Prometheus' and Gnocchi's data.
        common_data_device: '/dev/vdb',
        common_data_mountpoint: '/srv/data',
        prometheus_storage_path: '/srv/data/prometheus',
        gnocchi_storage_path: '/srv/data/gnocchi',
        prometheus_openstack_region: course.cloud.region,
      },
    },
    hosts,
    warnings,
  };
}

/**
 * Cloud VMs: trust a host key on first use, then insist on it (per-course known_hosts), filed
 * under the server's ID when known: a server Terraform replaced (rebuild, drift, a changed image)
 * is a new host with a new key, often at the same address, and must not be refused as an
 * impostor; the same server offering another key still is.
 */
function knownHostsArgs(file: string, serverId?: string): string {
  return `-o UserKnownHostsFile=${file} -o StrictHostKeyChecking=accept-new${serverId ? ` -o HostKeyAlias=${serverId}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// local: from the VM containers Docker lists

/** What the inventory needs of one VM container (read from `docker ps` by ./collect-local.ts). */
export interface VmContainer {
  name: string;
  learner: string;
  /** Host port published for the container's port 22 (on 127.0.0.1). */
  sshPort?: number;
  running: boolean;
  /** The container's address on the course's monitoring network, when it has one. */
  monitoringIp?: string;
}

export interface LocalInventoryOptions {
  keys: SshKeys;
  /** Log in as the course's admin user (the automation key is authorised there) instead of as each learner. */
  admin?: AdminLogin;
  exists?: (path: string) => boolean;
}

/**
 * VM containers are reached on 127.0.0.1 at their published port, as the learner (the image gives
 * the learner passwordless sudo and the roster key only). Their host keys are made when a container
 * is created, so they change whenever `up` recreates one: no known_hosts on this target (every
 * connection goes to this machine's loopback, to a container this user's Docker runs).
 */
export function inventoryFromContainers(course: Course, containers: VmContainer[], options: LocalInventoryOptions): Inventory {
  const exists = options.exists ?? (() => false);
  const warnings: string[] = [];
  const hosts: InventoryHost[] = [];
  const adminKey = options.admin ? (options.admin.privateKeyFile ?? options.keys.default) : undefined;
  if (options.admin ? !adminKey : !options.keys.default && !options.keys.learnerDir) {
    warnings.push('no private key given (--key / RESOPS_SSH_KEY, --learner-keys / RESOPS_LEARNER_KEYS): ssh uses your agent and default keys');
  }
  const byName = new Map(containers.map((c) => [c.name, c]));
  for (const learner of course.learners) {
    for (let vm = 1; vm <= learner.vms; vm++) {
      const name = `${course.id}-${learner.id}-vm${vm}`;
      const container = byName.get(name);
      if (!container) {
        warnings.push(`${name}: no such container (is the course up? \`resops up ${course.file}\`)`);
        continue;
      }
      if (!container.running || container.sshPort === undefined) {
        warnings.push(`${name}: ${container.running ? 'no SSH port published' : 'not running'}; skipped`);
        continue;
      }
      const key = options.admin ? adminKey : keyFor(options.keys, learner.id, exists);
      if (!options.admin && options.keys.learnerDir && !options.keys.default && !key) {
        warnings.push(`${name}: no key ${options.keys.learnerDir}/${learner.id} and no --key: ssh uses your agent and default keys`);
      }
      // node-exporter listens on the monitoring network only (the image's choice), else on loopback.
      const exporter = `${container.monitoringIp ?? '127.0.0.1'}:9100`;
      hosts.push({
        name,
        group: 'learners',
        learner: learner.id,
        vars: {
          ansible_host: '127.0.0.1',
          ansible_port: container.sshPort,
          ansible_user: options.admin?.user ?? learner.id,
          ...keyVars(key),
          ...learnerVars(learner, vm, undefined, course),
          node_exporter_listen_address: exporter,
        },
      });
    }
  }
  if (course.monitoring.enabled) {
    hosts.push({
      name: 'localhost',
      group: 'controller',
      vars: { ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' },
    });
  }
  return {
    course: course.id,
    target: 'local',
    vars: {
      ...courseVars(course),
      resops_local_gnocchi_port: course.local.ports.gnocchi,
      ansible_ssh_common_args: '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR',
    },
    groupVars: {},
    hosts,
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------

/** The inventory as Ansible's YAML inventory format. */
export function renderInventory(inventory: Inventory): string {
  const children: Record<string, unknown> = {};
  for (const group of HOST_GROUPS) {
    const members = inventory.hosts.filter((h) => h.group === group);
    const vars = inventory.groupVars[group];
    children[group] = {
      ...(members.length ? { hosts: Object.fromEntries(members.map((h) => [h.name, h.vars])) } : {}),
      ...(vars && Object.keys(vars).length ? { vars } : {}),
    };
  }
  const learners = [...new Set(inventory.hosts.filter((h) => h.learner).map((h) => h.learner!))];
  for (const learner of learners) {
    // Membership only: the host's variables are set once, under its role group.
    const members = inventory.hosts.filter((h) => h.learner === learner);
    children[learnerGroup(learner)] = { hosts: Object.fromEntries(members.map((h) => [h.name, null])) };
  }
  const document = { all: { vars: inventory.vars, children } };
  const header = [
    `# Ansible inventory of course ${inventory.course} (target ${inventory.target}), written by \`resops inventory\`.`,
    '# Generated: changes are overwritten. Key paths only; no secrets.',
  ];
  return `${header.join('\n')}\n${stringify(document, { lineWidth: 0 })}`;
}

/** The `--json` shape: hosts with their groups, plus the warnings. */
export function inventoryJson(inventory: Inventory): Record<string, unknown> {
  return {
    course: inventory.course,
    target: inventory.target,
    vars: inventory.vars,
    groupVars: inventory.groupVars,
    hosts: inventory.hosts.map((h) => ({ name: h.name, groups: [h.group, ...(h.learner ? [learnerGroup(h.learner)] : [])], vars: h.vars })),
    warnings: inventory.warnings,
  };
}
