import type { Flavor, LocalSettings, MachineRole, PipelineStorage, Target } from './model.js';

/**
 * Field names, defaults and limits of the course file (docs/course-file.md documents each one;
 * keep the two in step).
 */

export const TOP_FIELDS = ['course', 'target', 'state_dir', 'cloud', 'network', 'learners', 'roster', 'environment', 'monitoring', 'pipeline', 'local'] as const;
export const COURSE_FIELDS = ['id', 'title', 'start', 'end'] as const;
export const CLOUD_FIELDS = ['name', 'region', 'external_network', 'image', 'image_user', 'flavors', 'dns_servers', 'ssh_allowed_cidrs', 'admin_ssh_public_key', 'prices', 'provider_mirror'] as const;
export const FLAVOR_FIELDS = ['name', 'vcpus', 'ram_mb'] as const;
export const PRICE_FIELDS = ['currency', 'vcpu_hour', 'ram_gb_hour', 'volume_gb_hour', 'floating_ip_hour'] as const;
export const NETWORK_FIELDS = ['cidr', 'subnet_prefix'] as const;
export const LEARNER_FIELDS = ['id', 'name', 'email', 'ssh_public_key', 'vms', 'volume_gb'] as const;
export const ENVIRONMENT_FIELDS = ['vms', 'volume_gb'] as const;
export const MONITORING_FIELDS = ['enabled', 'retention', 'volume_gb'] as const;
export const PIPELINE_FIELDS = ['workers', 'storage', 'volume_gb'] as const;
export const LOCAL_FIELDS = ['ssh_port_base', 'ports'] as const;
export const LOCAL_PORT_FIELDS = ['prometheus', 'pushgateway', 'alertmanager', 'gnocchi', 'swift'] as const;
/** Roster CSV columns; `id`, `name` and `ssh_public_key` are required. */
export const ROSTER_COLUMNS = LEARNER_FIELDS;
export const ROSTER_REQUIRED_COLUMNS = ['id', 'name', 'ssh_public_key'] as const;

export const DEFAULT_FLAVORS: Record<MachineRole, Flavor> = {
  learner: { name: 'm1.small', vcpus: 1, ramMb: 2048 },
  monitoring: { name: 'm1.medium', vcpus: 2, ramMb: 4096 },
  worker: { name: 'm1.large', vcpus: 4, ramMb: 8192 },
};

export const DEFAULTS = {
  target: 'local' as Target,
  stateDir: (courseId: string) => `.resops/${courseId}`,
  cloud: {
    name: 'openstack',
    region: 'RegionOne',
    /** Only on the local target; the openstack target must name its external network and image. */
    externalNetwork: 'public',
    image: 'debian-12',
    imageUser: 'debian',
    dnsServers: [] as string[],
    sshAllowedCidrs: [] as string[],
  },
  network: { cidr: '10.42.0.0/16', subnetPrefix: 24 },
  environment: { vms: 1, volumeGb: 10 },
  monitoring: { enabled: true, retention: '15d', volumeGb: 20 },
  pipeline: { workers: 2, storage: 'volume' as PipelineStorage, volumeGb: 50 },
  local: {
    sshPortBase: 2200,
    ports: { prometheus: 9090, pushgateway: 9091, alertmanager: 9093, gnocchi: 8041, swift: 8081 },
  } satisfies LocalSettings,
} as const;

export const LIMITS = {
  courseIdLength: 24,
  learnerIdLength: 31,
  learners: { min: 1, max: 500 },
  vms: { min: 1, max: 10 },
  volumeGb: { min: 0, max: 10000 },
  serviceVolumeGb: { min: 1, max: 10000 },
  workers: { min: 0, max: 64 },
  vcpus: { min: 1, max: 512 },
  ramMb: { min: 256, max: 4194304 },
  subnetPrefix: { min: 1, max: 28 },
  dnsServers: 5,
  sshPortBase: { min: 1024, max: 65525 },
  port: { min: 1, max: 65535 },
  /** Course files and rosters larger than this are refused unread. */
  fileBytes: 5 * 1024 * 1024,
} as const;

/**
 * Learner ids that would give a learner's resources the name of a course-wide resource
 * (`<course>-monitoring` is the monitoring security group and container network, …).
 */
export const RESERVED_LEARNER_IDS: readonly string[] = [
  'network', 'net', 'services', 'router', 'ssh', 'icmp', 'monitoring', 'monitoring-source', 'scrape-target',
  'pipeline', 'learner', 'prometheus', 'pushgateway', 'alertmanager', 'gnocchi', 'postgres', 'swift',
];
export const RESERVED_LEARNER_ID_PATTERN = /^worker[0-9]+$/;
