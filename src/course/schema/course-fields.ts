import { quoteValue } from '../issues.js';
import { ACCOUNTS_MODES, EXPIRY_ACTIONS, PIPELINE_DEPLOYMENTS, SERVERS_INTERFACES, TARGETS, type MachineRole } from '../model.js';
import { SSH_KEY_TYPES } from '../ssh-key.js';
import { boolean, choice, date, integer, list, mapping, number, string, type IntegerField, type MappingField } from './field-types.js';

/**
 * Every field of the course file, once: names, types, defaults, limits, patterns and a line of
 * documentation each. The loader reads its fields through this table (../table-fields.ts), the
 * JSON Schema of `resops schema` is generated from it, and so are the field tables of
 * docs/course-file.md (`npx tsx src/course/schema/update.ts` rewrites both after a change).
 * Rules that relate several fields (CIDR sizes, dates in order, ports that collide, which flavors
 * the openstack target needs) stay in code in src/course/load.ts.
 */

/** Lowercase letters, digits and dashes, a letter first and no dash last: DNS-safe resource names. */
const RESOURCE_NAME = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;

/** The shape of an OpenSSH public key line; checkSshPublicKey() reads the key data itself. */
const SSH_PUBLIC_KEY = new RegExp(`^\\s*(?:${SSH_KEY_TYPES.map((t) => t.replace(/[.]/g, '\\.')).join('|')})[ \\t]+[A-Za-z0-9+/]+={0,2}(?:[ \\t][^\\r\\n]*)?\\s*$`);

const vms = (doc: string, extra: Partial<IntegerField> = {}) => integer({ min: 1, max: 10, doc, ...extra });
const volumeGb = (doc: string, extra: Partial<IntegerField> = {}) => integer({ min: 0, max: 10000, doc, ...extra });
const serviceVolumeGb = (doc: string, fallback: number) => integer({ min: 1, max: 10000, default: fallback, doc });
const port = (fallback: number, service: string) => integer({ min: 1, max: 65535, default: fallback, doc: `host port of ${service} on 127.0.0.1` });

/** A role's flavor: all three fields when written; the role's default when not. */
const flavor = (role: string, fallback: { name: string; vcpus: number; ram_mb: number }, extra: { requiredOnOpenstack?: boolean } = {}) =>
  mapping({
    doc: `flavor of the ${role}`,
    docType: '`{ name, vcpus, ram_mb }`',
    default: fallback,
    ...extra,
    fields: {
      name: string({ required: true, doc: 'the flavor\'s name in the cloud' }),
      vcpus: integer({ required: true, min: 1, max: 512, doc: 'its vCPUs, so preflight can estimate quota without asking the cloud' }),
      ram_mb: integer({ required: true, min: 256, max: 4194304, doc: 'its RAM in MB' }),
    },
  });

const price = (what: string) => number({ required: true, min: 0, doc: `price of ${what} and hour` });

/** Names course-wide resources already have (`<course id>-monitoring`), so no learner may take them. */
const RESERVED_IDS = ['network', 'net', 'services', 'router', 'ssh', 'icmp', 'monitoring', 'monitoring-source', 'workers', 'scrape-target', 'pipeline', 'learner', 'prometheus', 'pushgateway', 'alertmanager', 'gnocchi', 'postgres', 'swift', 'admin', 'discovery'];
// `admin` is also Gnocchi's administrator (src/access/gnocchi-users.ts): a learner of that name would be one.
// `discovery`: Prometheus' credential `resops-<course>-discovery` shares its name space with learners' credentials.

const LEARNER = mapping({
  doc: 'one learner',
  expected: 'a mapping with id, name and ssh_public_key',
  fields: {
    id: string({
      required: true,
      pattern: {
        regex: RESOURCE_NAME,
        mismatch: (id) => `${quoteValue(id)} is not a valid learner id: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (it names the learner's machines and networks)`,
      },
      maxLength: { max: 31 },
      reserved: { values: RESERVED_IDS, pattern: /^worker[0-9]+$/ },
      doc: `unique in the course. Not one of the names course-wide resources already use: ${[...RESERVED_IDS, 'worker<n>'].map((id) => `\`${id}\``).join(', ')}.`,
    }),
    name: string({
      required: true,
      pattern: { regex: /^\s*[^\x00-\x1f\x7f]*\s*$/, mismatch: () => 'must be a single line of text', inDocs: false },
      doc: 'one line of text',
    }),
    email: string({
      pattern: { regex: /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]+$/, mismatch: (email) => `${quoteValue(email)} does not look like an email address`, inDocs: false },
      doc: 'must look like an address (`someone@example.org`)',
    }),
    ssh_public_key: string({ required: true, shape: SSH_PUBLIC_KEY, docType: 'OpenSSH public key', doc: 'one OpenSSH public key line, see below' }),
    vms: vms('the learner\'s own number of VMs', { docDefault: '`environment.vms`' }),
    volume_gb: volumeGb('0 = no data volume', { docDefault: '`environment.volume_gb`' }),
  },
});

export const COURSE_FILE = mapping({
  doc: 'a ResOps course: who the learners are, what each gets, and where it runs (docs/course-file.md)',
  expected: 'a mapping of fields at the top level (course:, learners:, …)',
  exactlyOne: [['learners', 'roster']],
  fields: {
    course: mapping({
      required: true,
      doc: 'the course\'s id, title and dates',
      fields: {
        id: string({
          required: true,
          pattern: {
            regex: RESOURCE_NAME,
            mismatch: (id) => `${quoteValue(id)} is not a valid course id: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (it prefixes every resource name)`,
          },
          maxLength: { max: 24, why: ' (it prefixes every resource name)' },
          doc: 'It prefixes every cloud and Docker resource name (`resops-demo-alice-vm1`), so keep it short and unique per project.',
        }),
        title: string({ required: true, doc: 'non-empty' }),
        start: date({ pattern: /^\d{4}-\d{2}-\d{2}$/, doc: 'a real calendar date (`2026-02-30` is refused)' }),
        end: date({ pattern: /^\d{4}-\d{2}-\d{2}$/, doc: 'not before `start`; drives cost estimates and expiry' }),
      },
    }),
    target: choice({ values: TARGETS, default: 'local', doc: 'where the lab runs: Docker on this machine, or an OpenStack cloud; `--target` overrides it' }),
    state_dir: string({
      docDefault: '`.resops/<course id>`',
      doc: 'where Terraform state, local-driver state and exercise progress are kept; relative to the course file\'s directory and inside it',
    }),
    cloud: mapping({
      doc: 'settings of the OpenStack cloud; see below',
      requiredOnOpenstack: true,
      fields: {
        name: string({ default: 'openstack', doc: 'the cloud\'s entry in `clouds.yaml`' }),
        region: string({ default: 'RegionOne', doc: 'the cloud\'s region' }),
        external_network: string({
          default: 'public',
          requiredOnOpenstack: true,
          doc: 'network floating IPs and the router gateway come from',
        }),
        image: string({ default: 'debian-12', requiredOnOpenstack: true, doc: 'image name of every VM' }),
        image_user: string({
          default: 'debian',
          pattern: { regex: /^[a-z_][a-z0-9_-]{0,31}$/, mismatch: (user) => `${quoteValue(user)} is not a Linux user name` },
          doc: 'the image\'s cloud-init login user (a Linux user name)',
        }),
        flavors: mapping({
          requiredOnOpenstack: true,
          doc: 'one entry per machine role; on the `openstack` target `learner` always, `monitoring` when monitoring is enabled and `worker` when `pipeline.workers > 0`',
          fields: {
            learner: flavor('learners\' VMs', { name: 'm1.small', vcpus: 1, ram_mb: 2048 }, { requiredOnOpenstack: true }),
            monitoring: flavor('monitoring host (on openstack required when monitoring is enabled)', { name: 'm1.medium', vcpus: 2, ram_mb: 4096 }),
            worker: flavor('pipeline workers (on openstack required when `pipeline.workers > 0`)', { name: 'm1.large', vcpus: 4, ram_mb: 8192 }),
          } satisfies Record<MachineRole, MappingField>,
        }),
        dns_servers: list({
          items: string({ shape: new RegExp(`^\\s*${IPV4}\\s*$`), doc: 'an IPv4 address' }),
          maxItems: 5,
          default: [],
          docType: 'list of IPv4 addresses',
          docDefault: '`[]` (the cloud\'s own resolvers)',
          doc: 'the resolvers of the course subnets (the limit is Neutron\'s)',
        }),
        ssh_allowed_cidrs: list({
          items: string({ shape: new RegExp(`^\\s*${IPV4}/(?:3[0-2]|[12]?[0-9])\\s*$`), doc: 'an IPv4 CIDR, host bits zero' }),
          default: [],
          docType: 'list of IPv4 CIDRs',
          doc: 'who may reach SSH (every VM, the monitoring host). Empty means nobody outside the course. Host bits must be zero. `0.0.0.0/0` (the whole internet) is refused unless `allow_world: true` stands next to it.',
        }),
        dashboard_allowed_cidrs: list({
          items: string({ shape: new RegExp(`^\\s*${IPV4}/(?:3[0-2]|[12]?[0-9])\\s*$`), doc: 'an IPv4 CIDR, host bits zero' }),
          default: [],
          docType: 'list of IPv4 CIDRs',
          doc: 'who may open the monitoring host\'s Prometheus, Alertmanager and Gnocchi (openstack). Empty means nobody outside the course: the toolkit itself goes through SSH. Never the course network, and never the Pushgateway (only the toolkit pushes). Host bits must be zero; `0.0.0.0/0` needs `allow_world: true`.',
        }),
        allow_world: boolean({
          default: false,
          doc: '`true` lets `ssh_allowed_cidrs` and `dashboard_allowed_cidrs` hold `0.0.0.0/0`: open to the whole internet. Left out, such an entry is an error, so it is never written by accident',
        }),
        admin_ssh_public_key: string({
          shape: SSH_PUBLIC_KEY,
          docType: 'OpenSSH public key',
          docDefault: 'the course\'s automation key',
          doc: 'the instructors\' own key for automation (Ansible): authorised for the image\'s default user on every VM, and the keypair of the monitoring host and workers. Without it the toolkit makes a per-course automation key in `<state_dir>/automation/` (0600) and authorises its public half instead, so `configure` works with no key from you. Public key only; a private key is refused.',
        }),
        prices: mapping({
          docDefault: 'none (no cost estimate)',
          doc: 'unit prices for the cost estimate; when present all five fields are required',
          fields: {
            currency: string({
              required: true,
              pattern: { regex: /^[A-Z]{3}$/, mismatch: (code) => `${quoteValue(code)} is not a currency code (three capital letters such as EUR, USD, CHF)`, inDocs: false },
              doc: 'three capital letters, e.g. `EUR`',
            }),
            vcpu_hour: price('one vCPU'),
            ram_gb_hour: price('one GB of RAM'),
            volume_gb_hour: price('one GB of volume'),
            floating_ip_hour: price('one floating IP'),
          },
        }),
        s3_endpoint: string({
          pattern: {
            regex: /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?\/?$/,
            mismatch: (url) => `${quoteValue(url)} is not an endpoint: write scheme, host and port only, e.g. \`https://object.example.org:8080\``,
          },
          docType: 'URL',
          docDefault: 'the origin of the object store\'s endpoint in the cloud\'s catalog, at `servers_interface`',
          doc: 'the S3 API of the cloud\'s object store as the course\'s servers reach it (`pipeline.storage: object` jobs stage their files through it with EC2 credentials made for each run). Set it when the catalog\'s address is not reachable from the servers.',
        }),
        servers_interface: choice({
          values: SERVERS_INTERFACES,
          docDefault: '`public`; `internal` when the catalog\'s public identity endpoint is on this machine\'s loopback and its internal one is not (the rehearsal cloud)',
          doc: 'which of the catalog\'s endpoints the course\'s servers use to reach the cloud\'s APIs: Prometheus\' OpenStack discovery on the monitoring host (its `availability` and identity endpoint) and the default of `s3_endpoint`. Research clouds publish `public` endpoints the VMs can reach; the rehearsal cloud\'s `internal` ones are its address on the external network.',
        }),
        provider_mirror: string({
          expected: 'the path of a directory',
          docType: 'string (a directory)',
          docDefault: 'none (Terraform downloads the provider)',
          doc: 'a Terraform provider mirror made by `resops provider mirror`, for machines that cannot download `terraform-provider-openstack/openstack`; relative to the course file\'s directory, or absolute (`~` is not expanded). See below.',
        }),
      },
    }),
    network: mapping({
      doc: 'the course network, cut into one subnet for services and one per learner',
      fields: {
        cidr: string({
          default: '10.42.0.0/16',
          shape: new RegExp(`^\\s*${IPV4}/(?:3[0-2]|[12]?[0-9])\\s*$`),
          docType: 'IPv4 CIDR',
          doc: 'host bits zero (`10.42.0.1/16` is refused with "did you mean 10.42.0.0/16?"); inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) so it never hides real addresses',
        }),
        subnet_prefix: integer({ min: 1, max: 28, default: 24, doc: 'longer than the prefix of `cidr`' }),
      },
    }),
    learners: list({
      items: LEARNER,
      minItems: 1,
      maxItems: 500,
      expected: 'a list of learners',
      docType: 'list of learners',
      docDefault: '— (this or `roster`)',
      doc: 'the learners, inline; see below',
    }),
    roster: string({
      expected: 'the path of a CSV file',
      docType: 'string (a CSV file)',
      docDefault: '— (this or `learners`)',
      doc: 'the learners, from a CSV file relative to the course file\'s directory (or absolute); see below',
    }),
    environment: mapping({
      doc: 'what each learner gets, unless their own entry says otherwise',
      fields: {
        vms: vms('local SSH ports are `local.ssh_port_base + i*10 + j`', { default: 1 }),
        volume_gb: volumeGb('0 = no data volume', { default: 10 }),
      },
    }),
    monitoring: mapping({
      doc: 'Prometheus, Alertmanager, Pushgateway and Gnocchi on a monitoring host',
      fields: {
        enabled: boolean({ default: true, doc: '`yes`/`no` are strings in YAML 1.2 and are refused' }),
        retention: string({
          default: '15d',
          expected: 'a Prometheus duration (like 15d, 12h or 2w)',
          pattern: {
            // The lookahead wants one digit that is not 0: a duration of zero keeps nothing.
            regex: /^(?=.*[1-9])(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/,
            mismatch: (value) => `${quoteValue(value)} is not a Prometheus duration (like 15d, 12h or 2w: a number and a unit y, w, d, h, m, s or ms, largest first)`,
            inDocs: false,
          },
          docType: 'Prometheus duration',
          doc: 'number+unit groups, largest unit first: `y w d h m s ms` (`15d`, `12h`, `2w`, `1d12h`); not zero',
        }),
        volume_gb: serviceVolumeGb('the monitoring host\'s data volume', 20),
      },
    }),
    pipeline: mapping({
      doc: 'the variant-calling pipeline\'s workers and storage',
      fields: {
        workers: integer({ min: 0, max: 64, default: 2, doc: '0 = the course has no pipeline' }),
        storage: choice({ values: PIPELINE_DEPLOYMENTS, default: 'volume', doc: '`volume`: lift-and-shift, one shared directory every Slurm machine mounts (a Docker volume locally; on openstack the pipeline volume, over sshfs); `object`: cloud-native, a Swift container; `both`: the two, for courses that compare them (exercises 03 and 04 on openstack); runs default to `volume`. The local target always has both' }),
        volume_gb: serviceVolumeGb('size of the shared volume (`storage: volume` or `both`)', 50),
      },
    }),
    expiry: mapping({
      doc: 'what happens to the labs once the course is over (`resops reap`); needs `course.end` to take effect',
      fields: {
        grace_hours: integer({ min: 0, max: 720, default: 24, doc: 'hours after the end of `course.end` (midnight UTC) before the labs expire; learners\' cloud accounts expire at the same instant' }),
        action: choice({ values: EXPIRY_ACTIONS, default: 'stop', doc: '`stop`: servers (containers) are stopped, nothing is deleted, `up` starts them again; `destroy`: everything of the course is deleted, as `down` does, and the leak check proves it' }),
      },
    }),
    accounts: mapping({
      doc: 'learners\' own cloud accounts, made by `resops accounts create` (openstack)',
      fields: {
        mode: choice({ values: ACCOUNTS_MODES, default: 'shared-project', doc: '`shared-project`: every learner a member of the course\'s project, where learners can see (not log into) each other\'s servers; `project-per-learner`: a project per learner with quotas for their lab (and their exercise 01 server), the course\'s network and shared security groups shared to it, so a learner can neither see nor touch another\'s servers (needs Keystone\'s admin role)' }),
      },
    }),
    budget: mapping({
      docDefault: 'none (no budget warning)',
      doc: 'what the course may cost, in the currency of `cloud.prices` (which it needs); `status` warns when the cost so far passes 80 % of it',
      fields: {
        amount: number({ required: true, min: 0, doc: 'the budget, in `cloud.prices.currency`' }),
      },
    }),
    local: mapping({
      doc: 'the Docker target\'s host ports',
      fields: {
        ssh_port_base: integer({
          min: 1024,
          max: 65525,
          default: 2200,
          doc: 'Learner *i* (0-based), VM *j* (1-based) answers SSH on `127.0.0.1:(ssh_port_base + i*10 + j)`; the highest such port must be ≤ 65535',
        }),
        ports: mapping({
              doc: 'host ports on 127.0.0.1 of the monitoring services, all different and outside the learners\' SSH port range',
          fields: {
            prometheus: port(9090, 'Prometheus'),
            pushgateway: port(9091, 'the Pushgateway'),
            alertmanager: port(9093, 'Alertmanager'),
            gnocchi: port(8041, 'Gnocchi'),
            swift: port(8081, 'Swift'),
          },
        }),
      },
    }),
  },
});

/** The default of a field the table gives one, for the loader's fallbacks. */
export function defaultOf<T>(field: { default?: T }): T {
  if (field.default === undefined) throw new Error('bug: this field of src/course/schema/course-fields.ts has no default');
  return field.default;
}
