import { stringify } from 'yaml';
import { ed25519PublicKey } from './ssh-keys.js';

export interface CourseYamlOptions {
  id?: string;
  learners?: number;
  vms?: number;
  volumeGb?: number;
  monitoring?: boolean;
  workers?: number;
  storage?: 'volume' | 'object' | 'both';
  sshAllowedCidrs?: string[];
  /** Default: none. */
  dashboardAllowedCidrs?: string[];
  cidr?: string;
  subnetPrefix?: number;
  adminKey?: boolean;
  target?: 'local' | 'openstack';
  /** Public keys of learner1, learner2, …, e.g. made with ssh-keygen (default: derived, no private key). */
  sshPublicKeys?: string[];
  /** Include `cloud.prices` (the sample course's unit prices). */
  prices?: boolean;
}

/** A course file's text, built the way an instructor would write it, for tests and benchmarks. */
export function courseYaml(options: CourseYamlOptions = {}): string {
  const id = options.id ?? 'synth-test';
  const learnerCount = options.learners ?? 3;
  const learners = Array.from({ length: learnerCount }, (_, index) => ({
    id: `learner${index + 1}`,
    name: `Learner ${index + 1}`,
    ssh_public_key: options.sshPublicKeys?.[index] ?? ed25519PublicKey(`${id}-learner${index + 1}`),
  }));
  const document = {
    course: { id, title: `Course ${id}`, start: '2026-12-01', end: '2026-12-05' },
    target: options.target ?? 'openstack',
    cloud: {
      name: 'research-cloud',
      region: 'RegionOne',
      external_network: 'public',
      image: 'debian-12',
      flavors: {
        learner: { name: 'm1.small', vcpus: 1, ram_mb: 2048 },
        monitoring: { name: 'm1.medium', vcpus: 2, ram_mb: 4096 },
        worker: { name: 'm1.large', vcpus: 4, ram_mb: 8192 },
      },
      dns_servers: ['9.9.9.9'],
      ssh_allowed_cidrs: options.sshAllowedCidrs ?? ['192.0.2.0/24'],
      ...(options.dashboardAllowedCidrs ? { dashboard_allowed_cidrs: options.dashboardAllowedCidrs } : {}),
      // What an instructor must write for 0.0.0.0/0 (the course refuses it otherwise).
      ...([...(options.sshAllowedCidrs ?? []), ...(options.dashboardAllowedCidrs ?? [])].includes('0.0.0.0/0') ? { allow_world: true } : {}),
      ...(options.adminKey ? { admin_ssh_public_key: ed25519PublicKey(`${id}-admin`) } : {}),
      ...(options.prices ? { prices: { currency: 'EUR', vcpu_hour: 0.01, ram_gb_hour: 0.005, volume_gb_hour: 0.0002, floating_ip_hour: 0.004 } } : {}),
    },
    network: { cidr: options.cidr ?? '10.42.0.0/16', subnet_prefix: options.subnetPrefix ?? 24 },
    learners,
    environment: { vms: options.vms ?? 1, volume_gb: options.volumeGb ?? 10 },
    monitoring: { enabled: options.monitoring ?? true, retention: '15d', volume_gb: 20 },
    pipeline: { workers: options.workers ?? 2, storage: options.storage ?? 'volume', volume_gb: 50 },
  };
  return stringify(document, { lineWidth: 0 });
}
