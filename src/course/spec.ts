import type { AccountsMode, ExpiryAction, Flavor, LocalSettings, MachineRole, PipelineDeployment, Target } from './model.js';
import { COURSE_FILE, defaultOf } from './schema/course-fields.js';
import type { FieldMap, MappingField } from './schema/field-types.js';

/**
 * The course file's field names, defaults and limits in the shapes the rest of the toolkit uses
 * (camelCase, model types). All of it is read from the one table in ./schema/course-fields.ts.
 */

const TOP = COURSE_FILE.fields;
const CLOUD = TOP.cloud.fields;
const LEARNER = TOP.learners.items.fields;
const LOCAL = TOP.local.fields;

const names = <F extends FieldMap>(section: MappingField<F>) => Object.keys(section.fields) as Array<keyof F & string>;

export const LEARNER_FIELDS = names(TOP.learners.items);
export const LOCAL_PORT_FIELDS = names(LOCAL.ports);
/** Roster CSV columns: a learner's fields; the required ones are required columns. */
export const ROSTER_COLUMNS = LEARNER_FIELDS;
export const ROSTER_REQUIRED_COLUMNS = LEARNER_FIELDS.filter((key) => LEARNER[key].required === true);

const flavorDefault = (role: MachineRole): Flavor => {
  // The table's flavor() gives every role a default of this shape.
  const { name, vcpus, ram_mb: ramMb } = defaultOf(CLOUD.flavors.fields[role]) as { name: string; vcpus: number; ram_mb: number };
  return { name, vcpus, ramMb };
};

export const DEFAULT_FLAVORS: Record<MachineRole, Flavor> = {
  learner: flavorDefault('learner'),
  monitoring: flavorDefault('monitoring'),
  worker: flavorDefault('worker'),
};

export const DEFAULTS = {
  target: defaultOf(TOP.target) as Target,
  stateDir: (courseId: string) => `.resops/${courseId}`,
  cloud: {
    name: defaultOf(CLOUD.name),
    region: defaultOf(CLOUD.region),
    /** Only on the local target; the openstack target must name its external network and image. */
    externalNetwork: defaultOf(CLOUD.external_network),
    image: defaultOf(CLOUD.image),
    imageUser: defaultOf(CLOUD.image_user),
  },
  network: { cidr: defaultOf(TOP.network.fields.cidr), subnetPrefix: defaultOf(TOP.network.fields.subnet_prefix) },
  environment: { vms: defaultOf(TOP.environment.fields.vms), volumeGb: defaultOf(TOP.environment.fields.volume_gb) },
  monitoring: {
    enabled: defaultOf(TOP.monitoring.fields.enabled),
    retention: defaultOf(TOP.monitoring.fields.retention),
    volumeGb: defaultOf(TOP.monitoring.fields.volume_gb),
  },
  pipeline: {
    workers: defaultOf(TOP.pipeline.fields.workers),
    storage: defaultOf(TOP.pipeline.fields.storage) as PipelineDeployment,
    volumeGb: defaultOf(TOP.pipeline.fields.volume_gb),
  },
  expiry: {
    graceHours: defaultOf(TOP.expiry.fields.grace_hours),
    action: defaultOf(TOP.expiry.fields.action) as ExpiryAction,
  },
  accounts: {
    mode: defaultOf(TOP.accounts.fields.mode) as AccountsMode,
  },
  local: {
    sshPortBase: defaultOf(LOCAL.ssh_port_base),
    ports: Object.fromEntries(LOCAL_PORT_FIELDS.map((key) => [key, defaultOf(LOCAL.ports.fields[key])])) as LocalSettings['ports'],
  } satisfies LocalSettings,
} as const;

export const LIMITS = {
  learners: { min: TOP.learners.minItems!, max: TOP.learners.maxItems! },
  dnsServers: CLOUD.dns_servers.maxItems!,
  port: { min: LOCAL.ports.fields.prometheus.min, max: LOCAL.ports.fields.prometheus.max },
  /** Course files and rosters larger than this are refused unread. */
  fileBytes: 5 * 1024 * 1024,
} as const;

/**
 * Learner ids that would give a learner's resources the name of a course-wide resource
 * (`<course>-monitoring` is the monitoring security group and container network, …).
 */
export const RESERVED_LEARNER_IDS: readonly string[] = LEARNER.id.reserved!.values;
export const RESERVED_LEARNER_ID_PATTERN = LEARNER.id.reserved!.pattern;
