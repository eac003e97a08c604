/**
 * What the local target should run for a course (docs/topology.md, "Local target"): networks,
 * containers, addresses and published ports. Pure: computed from the course alone, so `plan`,
 * `up`, `status` and `down` agree on names, and tests can check it without Docker.
 *
 * Isolation. Each learner's VMs sit on their own bridge network (Docker drops traffic between
 * bridges) plus the internal monitoring network that every VM and Prometheus share (no other
 * monitoring service is on it). Across that shared network only node-exporter and Prometheus
 * answer: sshd listens on the VM's learner-network
 * address only, node-exporter on its monitoring-network address only. We bind services to the
 * right interface instead of filtering with iptables because iptables needs NET_ADMIN, and a
 * learner with sudo in their VM could then simply flush the rules. NET_RAW is dropped too, so
 * that root in a VM cannot hand-craft packets to another VM's learner address across the shared
 * network. The monitoring network is `internal` (no gateway), so each VM's default route and
 * published SSH port always go through its learner network.
 */
import { blockSize, formatIpv4, parseCidr, type Cidr } from '../course/cidr.js';
import type { Course, Learner } from '../course/model.js';
import { LEARNER_DATA_DIR, learnerVmName, resourceName } from '../course/naming.js';
import { carveSubnet, subnetCapacity } from '../course/subnets.js';
import { TargetError } from '../targets/driver.js';
import { gnocchiUsersEnv, type GnocchiUsers } from '../access/gnocchi-users.js';
import type { ImageName } from './images.js';
import { ALERTMANAGER_WEB_CONFIG, PROMETHEUS_WEB_CONFIG } from './monitoring-files.js';

export type LocalRole = 'learner' | 'monitoring' | 'worker';

export interface NetworkSpec {
  name: string;
  /** CIDR from the course; undefined lets Docker choose (no free subnet left in the course CIDR). */
  subnet?: string;
  /** No gateway: containers on it reach each other and nothing outside. */
  internal: boolean;
  role: LocalRole;
  learner?: string;
}

export interface Attachment {
  network: string;
  /** Static address (learner networks: VMs have fixed addresses sshd binds to). */
  ipv4?: string;
  /** Extra names on this network (`vm1`, `prometheus`, …). */
  aliases: string[];
}

export interface PublishedPort {
  containerPort: number;
  /** On 127.0.0.1 only. */
  hostPort: number;
  /** What the port is, for messages: `SSH of alice vm1`, `Prometheus`. */
  what: string;
}

/** Monitoring services; each is one container `<id>-<service>`. */
export type ServiceName = 'postgres' | 'gnocchi' | 'prometheus' | 'pushgateway' | 'alertmanager';
export const SERVICE_NAMES: readonly ServiceName[] = ['postgres', 'gnocchi', 'prometheus', 'pushgateway', 'alertmanager'];

export interface ContainerSpec {
  name: string;
  image: ImageName;
  role: LocalRole;
  /** `vm` for learner VMs, else the service name. */
  service: ServiceName | 'vm';
  learner?: Learner;
  /** 1-based VM number of a learner VM. */
  vm?: number;
  hostname: string;
  env: Record<string, string>;
  /** Overrides the image's CMD when set. */
  cmd?: string[];
  /** The first attachment is the primary network: default route and published ports. */
  attachments: Attachment[];
  ports: PublishedPort[];
  capDrop: string[];
  /** tmpfs mounts (path → mount options): the learner VM's small data disk. */
  tmpfs?: Record<string, string>;
}

export interface LocalLayout {
  networks: NetworkSpec[];
  containers: ContainerSpec[];
}

/** Secrets the layout needs but the course file never holds. */
export interface LocalSecrets {
  /** Password of Gnocchi's indexer database (alphanumeric). */
  dbPassword: string;
  /** Who may use Gnocchi (its API checks these passwords); none: an empty list, and Gnocchi refuses to start. */
  gnocchiUsers?: GnocchiUsers;
  /**
   * The course's admin login (src/access/admin-access.ts): its user and public key are authorised
   * on every VM, so `configure` reaches them without the learners' private keys.
   */
  admin?: { user: string; publicKey: string };
}

export const learnerNetworkName = (course: Pick<Course, 'id'>, learner: Pick<Learner, 'id'>) => resourceName(course, learner.id);
export const servicesNetworkName = (course: Pick<Course, 'id'>) => resourceName(course, 'services');
export const monitoringNetworkName = (course: Pick<Course, 'id'>) => resourceName(course, 'monitoring');
export const serviceContainerName = (course: Pick<Course, 'id'>, service: ServiceName) => resourceName(course, service);

/** Where a local learner VM's data disk is mounted, and its size (a tmpfs). */
export const LOCAL_DATA_DISK = { path: LEARNER_DATA_DIR, sizeMb: 256 } as const;

/** Learner i's VM j (1-based): 127.0.0.1:(sshPortBase + i*10 + j). */
export function sshPort(course: Pick<Course, 'local'>, learner: Pick<Learner, 'index'>, vm: number): number {
  return course.local.sshPortBase + learner.index * 10 + vm;
}

function cidrOf(text: string, what: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`${what}: ${parsed.reason}`);
  return parsed.value;
}

/** VM j's address on its learner network: host j + 1 (host 1 is Docker's gateway). */
export function vmAddress(learner: Pick<Learner, 'subnetCidr'>, vm: number): string {
  const subnet = cidrOf(learner.subnetCidr, 'learner subnet');
  if (vm + 1 >= blockSize(subnet.prefix) - 1) throw new RangeError(`VM ${vm} does not fit in ${learner.subnetCidr}`);
  return formatIpv4(subnet.base + vm + 1);
}

/**
 * The monitoring network takes the last subnet of the course CIDR when no learner uses it, so its
 * addresses are predictable; otherwise Docker picks one from its own pools.
 */
export function monitoringSubnet(course: Pick<Course, 'network' | 'learners'>): string | undefined {
  const cidr = cidrOf(course.network.cidr, 'network.cidr');
  const capacity = subnetCapacity(cidr, course.network.subnetPrefix);
  const last = capacity - 1;
  return last > course.learners.length ? carveSubnet(cidr, course.network.subnetPrefix, last) : undefined;
}

const SERVICE_PORTS: Record<Exclude<ServiceName, 'postgres'>, { port: number; what: string }> = {
  prometheus: { port: 9090, what: 'Prometheus' },
  pushgateway: { port: 9091, what: 'Pushgateway' },
  alertmanager: { port: 9093, what: 'Alertmanager' },
  gnocchi: { port: 8041, what: 'Gnocchi API' },
};

/**
 * Which monitoring services also join the monitoring network, the one every learner VM is on:
 * Prometheus only, because it scrapes the VMs. The Pushgateway and Gnocchi stay off it: nothing in a
 * VM needs them (the toolkit pushes from the host), and a learner, root in their VM, could
 * otherwise push series that claim another learner's instance or delete the class's metrics.
 */
const ON_MONITORING_NETWORK: readonly ServiceName[] = ['prometheus'];

export function localLayout(course: Course, secrets: LocalSecrets): LocalLayout {
  const monitoring = course.monitoring.enabled;
  const labelsFor = (learner?: Learner) => (learner ? { learner: learner.id } : {});
  const networks: NetworkSpec[] = course.learners.map((learner) => ({
    name: learnerNetworkName(course, learner),
    subnet: learner.subnetCidr,
    internal: false,
    role: 'learner',
    ...labelsFor(learner),
  }));
  // The services subnet holds the monitoring services and the pipeline workers (docs/topology.md):
  // it exists when either does. src/pipeline creates it with these same options when a pipeline
  // runs before `up`, so the two never disagree about it.
  if (monitoring || course.pipeline.workers > 0) {
    networks.push({ name: servicesNetworkName(course), subnet: course.network.servicesSubnet, internal: false, role: 'monitoring' });
  }
  if (monitoring) {
    const monitoringCidr = monitoringSubnet(course);
    networks.push({ name: monitoringNetworkName(course), ...(monitoringCidr ? { subnet: monitoringCidr } : {}), internal: true, role: 'monitoring' });
  }

  const containers: ContainerSpec[] = [];
  for (const learner of course.learners) {
    for (let vm = 1; vm <= learner.vms; vm++) {
      const name = learnerVmName(course, learner, vm);
      const address = vmAddress(learner, vm);
      containers.push({
        name,
        image: 'node',
        role: 'learner',
        service: 'vm',
        learner,
        vm,
        hostname: name,
        env: {
          RESOPS_USER: learner.id,
          RESOPS_SSH_KEY: learner.sshPublicKey,
          RESOPS_SSH_ADDR: address,
          RESOPS_EXPORTER_ON_OTHER_NET: monitoring ? '1' : '0',
          ...(secrets.admin ? { RESOPS_ADMIN_USER: secrets.admin.user, RESOPS_ADMIN_KEY: secrets.admin.publicKey } : {}),
        },
        attachments: [
          { network: learnerNetworkName(course, learner), ipv4: address, aliases: [`vm${vm}`] },
          ...(monitoring ? [{ network: monitoringNetworkName(course), aliases: [] }] : []),
        ],
        ports: [{ containerPort: 22, hostPort: sshPort(course, learner, vm), what: `SSH of ${learner.id} vm${vm}` }],
        capDrop: ['NET_RAW'],
        // The VM's data disk, scaled down: small enough that filling it (the "sick node"
        // exercise) costs little memory, and its own filesystem so filling it cannot touch the host's.
        tmpfs: { [LOCAL_DATA_DISK.path]: `size=${LOCAL_DATA_DISK.sizeMb}m,mode=1777` },
      });
    }
  }
  if (monitoring) containers.push(...monitoringContainers(course, secrets));
  containers.push(...workerContainers(course));
  checkPorts(course, containers);
  return { networks, containers };
}

function monitoringContainers(course: Course, secrets: LocalSecrets): ContainerSpec[] {
  const services = servicesNetworkName(course);
  const specs: ContainerSpec[] = [];
  for (const service of SERVICE_NAMES) {
    const name = serviceContainerName(course, service);
    const published = service === 'postgres' ? undefined : { ...SERVICE_PORTS[service], hostPort: course.local.ports[service] };
    const attachments: Attachment[] = [{ network: services, aliases: [service] }];
    if (ON_MONITORING_NETWORK.includes(service)) attachments.push({ network: monitoringNetworkName(course), aliases: [service] });
    specs.push({
      name,
      image: service,
      role: 'monitoring',
      service,
      hostname: name,
      env: serviceEnv(course, service, secrets),
      ...(service === 'prometheus' ? { cmd: prometheusCommand(course) } : service === 'alertmanager' ? { cmd: ALERTMANAGER_COMMAND } : {}),
      attachments,
      ports: published ? [{ containerPort: published.port, hostPort: published.hostPort, what: published.what }] : [],
      capDrop: [],
    });
  }
  return specs;
}

function serviceEnv(course: Course, service: ServiceName, secrets: LocalSecrets): Record<string, string> {
  if (service === 'postgres') return { GNOCCHI_DB_PASSWORD: secrets.dbPassword };
  if (service === 'gnocchi') {
    return {
      GNOCCHI_DB_URL: `postgresql://gnocchi:${secrets.dbPassword}@${serviceContainerName(course, 'postgres')}/gnocchi`,
      GNOCCHI_USERS: secrets.gnocchiUsers ? gnocchiUsersEnv(secrets.gnocchiUsers) : '',
    };
  }
  return {};
}

export function prometheusCommand(course: Pick<Course, 'monitoring'>): string[] {
  return [
    '/usr/bin/prometheus',
    '--config.file=/etc/prometheus/prometheus.yml',
    '--storage.tsdb.path=/var/lib/prometheus/metrics2',
    `--storage.tsdb.retention.time=${course.monitoring.retention}`,
    '--web.listen-address=:9090',
    `--web.config.file=${PROMETHEUS_WEB_CONFIG}`,
    '--web.console.templates=/etc/prometheus/consoles',
    '--web.console.libraries=/etc/prometheus/console_libraries',
  ];
}

/** The image's command with the web config (who may log in: only the toolkit, since a login may silence any alert). */
const ALERTMANAGER_COMMAND = [
  '/usr/bin/prometheus-alertmanager',
  '--config.file=/etc/alertmanager/alertmanager.yml',
  '--storage.path=/var/lib/alertmanager',
  '--web.listen-address=:9093',
  `--web.config.file=${ALERTMANAGER_WEB_CONFIG}`,
  '--cluster.listen-address=',
];

/**
 * Worker containers `<id>-worker<k>` (role `worker`, on the services network) are not in the
 * layout: src/pipeline/infra.ts owns them, because a run may switch their image with its storage;
 * `up` asks it for the course's workers after the layout is applied. To make them layout objects,
 * return their specs here and add `worker` to MANAGED_ROLES in reconcile.ts.
 */
export function workerContainers(_course: Course): ContainerSpec[] {
  return [];
}

/** Two containers publishing the same host port would fail half-way through `up`: refuse early. */
function checkPorts(course: Pick<Course, 'file'>, containers: ContainerSpec[]): void {
  const seen = new Map<number, string>();
  for (const container of containers) {
    for (const port of container.ports) {
      const other = seen.get(port.hostPort);
      if (other) {
        throw new TargetError(
          `${course.file}: 127.0.0.1:${port.hostPort} would serve both ${other} and ${port.what}`,
          'change local.ssh_port_base or local.ports so that the SSH port range and the service ports do not overlap',
        );
      }
      seen.set(port.hostPort, port.what);
    }
  }
}
