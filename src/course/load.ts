import { checkSshPublicKey } from './ssh-key.js';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isScalar } from 'yaml';
import { parseCidr, isPrivate, parseIpv4, type Cidr } from './cidr.js';
import { stringItem } from './fields.js';
import { IssueList, NOWHERE, plural, quoteValue } from './issues.js';
import { checkLearner, checkUniqueIds, type CheckedLearner, type LearnerDraft } from './learners.js';
import { CourseError, MACHINE_ROLES, TARGETS, type AccountsMode, type CloudSettings, type Course, type Flavor, type LocalSettings, type MachineRole, type Target, type UnitPrices } from './model.js';
import { readRoster } from './roster.js';
import { COURSE_FILE } from './schema/course-fields.js';
import { DEFAULT_FLAVORS, DEFAULTS, LIMITS, LOCAL_PORT_FIELDS } from './spec.js';
import { learnerSubnet, servicesSubnet, subnetCapacity } from './subnets.js';
import { TableFields } from './table-fields.js';
import { YamlSource } from './yaml-positions.js';

/**
 * Reads a course file (and its roster CSV) into the resolved `Course` model. Every problem is
 * collected and thrown together as one CourseError; nothing is ever written.
 */

export interface LoadOptions {
  /** A CLI flag overriding the file's `target`. */
  target?: Target;
}

export function loadCourse(file: string, options: LoadOptions = {}): Course {
  const read = readSmallFile(path.resolve(file));
  if ('problem' in read) {
    throw new CourseError([{ file, line: 0, column: 0, path: '', message: `cannot read the course file: ${read.problem}` }]);
  }
  return loadCourseText(read.text, file, path.dirname(path.resolve(file)), options);
}

/** Same as loadCourse for text already in hand; a relative roster path resolves from `dir`. */
export function loadCourseText(text: string, file: string, dir: string, options: LoadOptions = {}): Course {
  const issues = new IssueList();
  const files = [file];
  const course = readCourse(text, file, path.resolve(dir), options, issues, files);
  if (issues.count > 0) throw new CourseError(issues.sorted(files));
  if (!course) throw new Error(`${file}: the course could not be resolved, yet no problem was reported (a bug in src/course/load.ts)`);
  return course;
}

function readSmallFile(absolute: string): { text: string } | { problem: string } {
  try {
    const stat = statSync(absolute);
    if (!stat.isFile()) return { problem: 'it is not a file' };
    if (stat.size > LIMITS.fileBytes) return { problem: `it is ${stat.size} bytes; at most ${LIMITS.fileBytes} are read` };
    return { text: readFileSync(absolute, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: 'no such file' };
    if (code === 'EACCES') return { problem: 'permission denied' };
    return { problem: (error as Error).message };
  }
}

const TABLE = COURSE_FILE.fields;
/** The top level of the course file, and its sections, read as the field table describes them. */
type Top = TableFields<typeof TABLE>;
type CloudSection = TableFields<typeof TABLE.cloud.fields>;

interface Sections {
  target: Target;
  /** Why the target is what it is, for "required when the target is openstack (…)". */
  targetFrom: string;
}

function readCourse(text: string, file: string, dir: string, options: LoadOptions, issues: IssueList, files: string[]): Course | undefined {
  if (text.trim() === '') {
    issues.add(file, NOWHERE, '', 'the file is empty; a course file needs at least `course` (id, title) and `learners` (see docs/course-file.md)');
    return undefined;
  }
  const source = YamlSource.parse(text, file, issues);
  if (!source) return undefined;
  if (source.doc.contents === null) {
    issues.add(file, NOWHERE, '', 'the file holds no fields (only comments); a course file needs at least `course` (id, title) and `learners`');
    return undefined;
  }
  source.findSecrets();
  const topSpot = source.spotOf(source.doc.contents);
  const top = TableFields.open(source, source.doc.contents, '', topSpot, COURSE_FILE);
  if (!top) return undefined;

  // Target first: what is required elsewhere depends on it.
  const fileTarget = top.read('target');
  let target: Target = fileTarget?.value ?? DEFAULTS.target;
  let targetFrom = '`target`';
  if (options.target !== undefined) {
    if (TARGETS.includes(options.target)) {
      target = options.target;
      targetFrom = '--target';
    } else {
      issues.add(file, NOWHERE, 'target', `--target must be \`local\` or \`openstack\`, not ${quoteValue(String(options.target))}`);
    }
  }
  const sections: Sections = { target, targetFrom };

  const meta = readCourseSection(top);
  const stateDir = readStateDir(top, meta?.id);
  const environment = readEnvironment(top);
  const monitoring = readMonitoring(top);
  const pipeline = readPipeline(top);
  const network = readNetwork(top);
  const cloud = readCloud(top, sections, { monitoring: monitoring.enabled, workers: pipeline.workers });
  const local = readLocal(top);
  const expiry = readExpiry(top);
  const accounts: Course['accounts'] = { mode: (top.section('accounts')?.read('mode')?.value as AccountsMode | undefined) ?? DEFAULTS.accounts.mode };
  const budget = readBudget(top, cloud);
  const drafts = readLearnerDrafts(top, source, dir, files);

  const checked = drafts.map((draft) => checkLearner(draft, issues));
  checkUniqueIds(drafts, issues);

  const environmentVms = environment.vms ?? DEFAULTS.environment.vms;
  const environmentVolumeGb = environment.volumeGb ?? DEFAULTS.environment.volumeGb;
  if (network) checkCapacity(top, network, drafts.length);
  if (local.settings) checkLocalPorts(top, local, checked, environmentVms);

  if (issues.count > 0 || !meta || !network || !cloud || !local.settings || stateDir === undefined) return undefined;
  // No issues means every draft passed checkLearner, so none is undefined.
  const learners = (checked as CheckedLearner[]).map((learner, index) => ({
    id: learner.id,
    name: learner.name,
    ...(learner.email !== undefined ? { email: learner.email } : {}),
    sshPublicKey: learner.sshPublicKey,
    index,
    subnetCidr: learnerSubnet(network.cidr, network.subnetPrefix, index),
    vms: learner.vms ?? environmentVms,
    volumeGb: learner.volumeGb ?? environmentVolumeGb,
  }));
  return {
    file,
    dir,
    id: meta.id,
    title: meta.title,
    ...(meta.start !== undefined ? { start: meta.start } : {}),
    ...(meta.end !== undefined ? { end: meta.end } : {}),
    target,
    cloud,
    network: {
      cidr: network.text,
      subnetPrefix: network.subnetPrefix,
      servicesSubnet: servicesSubnet(network.cidr, network.subnetPrefix),
    },
    learners,
    monitoring,
    pipeline,
    local: local.settings,
    expiry,
    accounts,
    ...(budget ? { budget } : {}),
    stateDir,
  };
}

/** The expiry section with its defaults; without `course.end` nothing expires, whatever it says. */
function readExpiry(top: Top): Course['expiry'] {
  const section = top.section('expiry');
  return {
    graceHours: section?.read('grace_hours')?.value ?? DEFAULTS.expiry.graceHours,
    action: section?.read('action')?.value ?? DEFAULTS.expiry.action,
  };
}

/** A budget is an amount in the prices' currency: without prices there is nothing to compare it with. */
function readBudget(top: Top, cloud: CloudSettings | undefined): Course['budget'] {
  const section = top.section('budget');
  const amount = section?.read('amount');
  if (!section || !amount) return undefined;
  if (cloud && !cloud.prices) {
    section.problem('amount', 'a budget needs `cloud.prices` (its currency and unit prices) to say what the course costs; add them, or remove `budget`');
    return undefined;
  }
  return { amount: amount.value };
}

function readCourseSection(top: Top): { id: string; title: string; start?: string; end?: string } | undefined {
  const section = top.section('course');
  if (!section) return undefined;
  const id = section.read('id');
  const title = section.read('title');
  const start = section.read('start');
  const end = section.read('end');
  if (start && end && end.value < start.value) section.problem('end', `${end.value} is before course.start ${start.value}`);
  if (!id || !title) return undefined;
  return { id: id.value, title: title.value.trim(), ...(start ? { start: start.value } : {}), ...(end ? { end: end.value } : {}) };
}

function readStateDir(top: Top, courseId: string | undefined): string | undefined {
  const value = top.read('state_dir');
  if (!value) return top.invalid('state_dir', value) || courseId === undefined ? undefined : DEFAULTS.stateDir(courseId);
  const raw = value.value.trim();
  if (path.isAbsolute(raw) || path.win32.isAbsolute(raw) || raw.startsWith('~')) {
    top.problem('state_dir', `${quoteValue(raw)} must be relative to the course file's directory (absolute paths would name this machine in synthesized files)`);
    return undefined;
  }
  const normalised = path.posix.normalize(raw.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normalised === '..' || normalised.startsWith('../')) {
    top.problem('state_dir', `${quoteValue(raw)} leaves the course file's directory; keep the state inside the project`);
    return undefined;
  }
  if (normalised === '.' || normalised === '') {
    top.problem('state_dir', `${quoteValue(raw)} is the course file's directory itself; name a subdirectory such as .resops/<course id>`);
    return undefined;
  }
  return normalised;
}

function readEnvironment(top: Top): { vms?: number; volumeGb?: number } {
  const section = top.section('environment');
  return {
    vms: section?.read('vms')?.value,
    volumeGb: section?.read('volume_gb')?.value,
  };
}

/** The monitoring section with its defaults: read once, used as is by the cloud section and the model. */
function readMonitoring(top: Top): Course['monitoring'] {
  const section = top.section('monitoring');
  return {
    enabled: section?.read('enabled')?.value ?? DEFAULTS.monitoring.enabled,
    retention: section?.read('retention')?.value ?? DEFAULTS.monitoring.retention,
    volumeGb: section?.read('volume_gb')?.value ?? DEFAULTS.monitoring.volumeGb,
  };
}

/** The pipeline section with its defaults. */
function readPipeline(top: Top): Course['pipeline'] {
  const section = top.section('pipeline');
  return {
    workers: section?.read('workers')?.value ?? DEFAULTS.pipeline.workers,
    storage: section?.read('storage')?.value ?? DEFAULTS.pipeline.storage,
    volumeGb: section?.read('volume_gb')?.value ?? DEFAULTS.pipeline.volumeGb,
  };
}

interface NetworkDraft {
  cidr: Cidr;
  text: string;
  subnetPrefix: number;
  /** Where a problem with the size of the network is best shown. */
  section?: TableFields<typeof TABLE.network.fields>;
}

function readNetwork(top: Top): NetworkDraft | undefined {
  const section = top.section('network');
  let cidr = parseCidr(DEFAULTS.network.cidr);
  const written = section?.read('cidr');
  if (written) {
    cidr = parseCidr(written.value.trim());
    if (!cidr.ok) {
      section!.problem('cidr', cidr.reason);
    } else if (!isPrivate(cidr.value)) {
      section!.problem('cidr', `${written.value.trim()} is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); a course network must not hide public addresses`);
      return undefined;
    }
  }
  const prefix = section?.read('subnet_prefix');
  if (!cidr.ok || section?.invalid('cidr', written) || section?.invalid('subnet_prefix', prefix)) return undefined;
  const subnetPrefix = prefix?.value ?? DEFAULTS.network.subnetPrefix;
  if (subnetPrefix < cidr.value.prefix) {
    const message = `must be longer than the course prefix /${cidr.value.prefix} (subnets are carved out of network.cidr), got ${subnetPrefix}`;
    if (prefix) section!.problem('subnet_prefix', message);
    else if (section) section.problem('cidr', `${written?.value.trim()} is smaller than one /${subnetPrefix} subnet (the default subnet_prefix); use a larger cidr or set subnet_prefix (at most ${TABLE.network.fields.subnet_prefix.max}) so that services and every learner get a subnet`);
    return undefined;
  }
  return { cidr: cidr.value, text: written?.value.trim() ?? DEFAULTS.network.cidr, subnetPrefix, ...(section ? { section } : {}) };
}

function checkCapacity(top: Top, network: NetworkDraft, learners: number): void {
  if (learners === 0) return;
  const capacity = subnetCapacity(network.cidr, network.subnetPrefix);
  const needed = learners + 1;
  if (capacity >= needed) return;
  const message =
    `${network.text} holds ${plural(capacity, 'subnet')} of /${network.subnetPrefix} but the course needs ${needed} (services + ${plural(learners, 'learner')}); ` +
    'use a larger network.cidr or a longer network.subnet_prefix';
  const section = network.section;
  if (section?.written('cidr')) section.problem('cidr', message);
  else if (section) section.keyProblem('cidr', message);
  else top.keyProblem(top.written('learners') ? 'learners' : 'roster', `the default network.cidr ${message}`);
}

function readFlavor(flavors: TableFields<typeof TABLE.cloud.fields.flavors.fields>, role: MachineRole): Flavor | undefined {
  const section = flavors.section(role);
  if (!section) return undefined;
  const name = section.read('name');
  const vcpus = section.read('vcpus');
  const ramMb = section.read('ram_mb');
  return name && vcpus && ramMb ? { name: name.value.trim(), vcpus: vcpus.value, ramMb: ramMb.value } : undefined;
}

function readPrices(cloud: CloudSection): UnitPrices | undefined {
  const section = cloud.section('prices');
  if (!section) return undefined;
  const currency = section.read('currency');
  const price = (key: 'vcpu_hour' | 'ram_gb_hour' | 'volume_gb_hour' | 'floating_ip_hour') => section.read(key)?.value;
  const prices = { vcpuHour: price('vcpu_hour'), ramGbHour: price('ram_gb_hour'), volumeGbHour: price('volume_gb_hour'), floatingIpHour: price('floating_ip_hour') };
  if (!currency || Object.values(prices).some((p) => p === undefined)) return undefined;
  return { currency: currency.value, ...(prices as Omit<UnitPrices, 'currency'>) };
}

function readCloud(top: Top, sections: Sections, uses: { monitoring: boolean; workers: number }): CloudSettings | undefined {
  const section = top.section('cloud');
  const openstack = sections.target === 'openstack';
  const why = `required when the target is openstack (set by ${sections.targetFrom})`;
  const before = top.source.issues.count;
  if (!section) {
    // A cloud that is not a mapping was reported by top.mapping().
    if (top.invalid('cloud', section)) return undefined;
    if (openstack) top.missing('cloud', `${why}: external_network, image and flavors`);
  }

  const text = (key: 'name' | 'region' | 'external_network' | 'image', fallback: string | undefined, required = false) => {
    const value = section?.read(key, { required });
    return value?.value.trim() ?? fallback;
  };
  const name = text('name', DEFAULTS.cloud.name);
  const region = text('region', DEFAULTS.cloud.region);
  const externalNetwork = text('external_network', openstack ? undefined : DEFAULTS.cloud.externalNetwork, openstack && !!section);
  const image = text('image', openstack ? undefined : DEFAULTS.cloud.image, openstack && !!section);
  const imageUser = section?.read('image_user');

  const flavors: Partial<Record<MachineRole, Flavor>> = {};
  const flavorSection = section?.section('flavors');
  // Roles the course uses, with the reason a missing flavor is needed.
  const needed: Partial<Record<MachineRole, string>> = {
    learner: '',
    ...(uses.monitoring ? { monitoring: ' and monitoring is enabled' } : {}),
    ...(uses.workers > 0 ? { worker: ' and pipeline.workers > 0' } : {}),
  };
  if (openstack && section && !flavorSection && section.node('flavors') === undefined) section.missing('flavors', `${why}: the flavor of each machine role`);
  for (const role of MACHINE_ROLES) {
    const flavor = flavorSection ? readFlavor(flavorSection, role) : undefined;
    if (flavor) flavors[role] = flavor;
    else if (flavorSection?.node(role) === undefined) {
      const reason = needed[role];
      if (openstack && flavorSection && reason !== undefined) flavorSection.missing(role, `required when the target is openstack (set by ${sections.targetFrom})${reason}`);
      flavors[role] = DEFAULT_FLAVORS[role];
    }
  }

  const dnsServers: string[] = [];
  const dnsItems = section?.items('dns_servers') ?? [];
  if (dnsItems.length > LIMITS.dnsServers) section!.problem('dns_servers', `lists ${dnsItems.length} servers; OpenStack subnets take at most ${LIMITS.dnsServers}`);
  for (const item of dnsItems) {
    const value = stringItem(top.source, item);
    if (!value) continue;
    const address = parseIpv4(value.value.trim());
    if (address.ok) dnsServers.push(value.value.trim());
    else top.source.issues.at(value, address.reason);
  }

  const allowWorld = section?.read('allow_world')?.value === true;
  const allowedCidrs = (field: 'ssh_allowed_cidrs' | 'dashboard_allowed_cidrs', opens: string): string[] => {
    const cidrs: string[] = [];
    for (const item of section?.items(field) ?? []) {
      const value = stringItem(top.source, item);
      if (!value) continue;
      const cidr = parseCidr(value.value.trim());
      if (!cidr.ok) top.source.issues.at(value, cidr.reason);
      else if (cidr.value.prefix === 0 && !allowWorld) {
        top.source.issues.at(value, `${value.value.trim()} opens ${opens} to the whole internet; write \`allow_world: true\` in the cloud section if that is really meant, or name your own network`);
      } else cidrs.push(value.value.trim());
    }
    return cidrs;
  };
  const sshAllowedCidrs = allowedCidrs('ssh_allowed_cidrs', 'SSH');
  const dashboardAllowedCidrs = allowedCidrs('dashboard_allowed_cidrs', 'Prometheus, Alertmanager and Gnocchi');

  const adminKeyField = section?.read('admin_ssh_public_key');
  let adminSshPublicKey: string | undefined;
  if (adminKeyField) {
    const key = checkSshPublicKey(adminKeyField.value);
    if (key.ok) adminSshPublicKey = adminKeyField.value.trim().split(/\s+/).join(' ');
    else top.source.issues.at(adminKeyField, key.reason);
  }

  const prices = section ? readPrices(section) : undefined;
  const providerMirror = readProviderMirror(section);
  const s3Endpoint = section?.read('s3_endpoint')?.value.trim().replace(/\/$/, '');
  const serversInterface = section?.read('servers_interface')?.value;
  if (top.source.issues.count > before || !name || !region || !externalNetwork || !image) return undefined;
  return {
    name,
    region,
    externalNetwork,
    image,
    flavors: flavors as Record<MachineRole, Flavor>,
    dnsServers,
    sshAllowedCidrs,
    dashboardAllowedCidrs,
    imageUser: imageUser?.value ?? DEFAULTS.cloud.imageUser,
    ...(adminSshPublicKey ? { adminSshPublicKey } : {}),
    ...(prices ? { prices } : {}),
    ...(providerMirror ? { providerMirror } : {}),
    ...(s3Endpoint ? { s3Endpoint } : {}),
    ...(serversInterface ? { serversInterface } : {}),
  };
}

/** Kept as written: it resolves from the course file's directory when Terraform runs. */
function readProviderMirror(cloud: CloudSection | undefined): string | undefined {
  const value = cloud?.read('provider_mirror');
  if (!value) return undefined;
  const raw = value.value.trim();
  if (raw.startsWith('~')) {
    cloud!.problem('provider_mirror', `${quoteValue(raw)}: \`~\` is not expanded here; write the directory relative to the course file's directory, or absolute`);
    return undefined;
  }
  return raw;
}

interface LocalDraft {
  settings?: LocalSettings;
  section?: TableFields<typeof TABLE.local.fields>;
  ports?: TableFields<typeof TABLE.local.fields.ports.fields>;
}

function readLocal(top: Top): LocalDraft {
  const section = top.section('local');
  const base = section?.read('ssh_port_base');
  const portsSection = section?.section('ports');
  const ports = { ...DEFAULTS.local.ports };
  let ok = !section?.invalid('ssh_port_base', base);
  for (const key of LOCAL_PORT_FIELDS) {
    const port = portsSection?.read(key);
    if (port) ports[key] = port.value;
    else if (portsSection?.invalid(key, port)) ok = false;
  }
  const found = { ...(section ? { section } : {}), ...(portsSection ? { ports: portsSection } : {}) };
  if (!ok || section?.invalid('ports', portsSection)) return found;
  return { ...found, settings: { sshPortBase: base?.value ?? DEFAULTS.local.sshPortBase, ports } };
}

/** Local SSH ports (base + i*10 + j) must fit below 65536 and not collide with the service ports. */
function checkLocalPorts(top: Top, draft: LocalDraft, learners: Array<CheckedLearner | undefined>, environmentVms: number): void {
  const { settings: local, section, ports: portsSection } = draft;
  if (learners.length === 0 || !local) return;
  const highest = local.sshPortBase + Math.max(...learners.map((learner, i) => i * 10 + (learner?.vms ?? environmentVms)));
  const lowest = local.sshPortBase + 1;
  if (highest > LIMITS.port.max) {
    const message = `${local.sshPortBase} leaves no room: the learners' SSH ports would reach ${highest}, above ${LIMITS.port.max}`;
    if (section?.written('ssh_port_base')) section.problem('ssh_port_base', message);
    else top.source.issues.add(top.source.file, NOWHERE, 'local.ssh_port_base', message);
    return;
  }
  const seen = new Map<number, string>();
  for (const key of LOCAL_PORT_FIELDS) {
    const port = local.ports[key];
    const report = (message: string) => {
      if (portsSection?.written(key)) portsSection.problem(key, message);
      else top.source.issues.add(top.source.file, section ? section.at : NOWHERE, `local.ports.${key}`, `the default ${message}`);
    };
    if (port >= lowest && port <= highest) {
      report(`${port} is among the learners' SSH ports ${lowest}–${highest} (local.ssh_port_base ${local.sshPortBase} + learner × 10 + vm)`);
    } else if (seen.has(port)) {
      report(`${port} is also local.ports.${seen.get(port)}`);
    }
    seen.set(port, key);
  }
}

function readLearnerDrafts(top: Top, source: YamlSource, dir: string, files: string[]): LearnerDraft[] {
  const inline = top.written('learners');
  const roster = top.written('roster');
  if (inline && roster) top.keyProblem('roster', 'give either `learners` (a list in this file) or `roster` (a CSV file), not both');
  if (!inline && !roster) {
    top.missing('learners', 'missing: list the learners here, or name a CSV roster with `roster: learners.csv`');
    return [];
  }
  if (inline) return readInlineLearners(top, source);

  const rosterPath = top.read('roster', { required: true });
  if (!rosterPath) return [];
  const relative = rosterPath.value.trim();
  const shown = path.isAbsolute(relative) ? relative : path.join(path.dirname(source.file), relative);
  const read = readSmallFile(path.resolve(dir, relative));
  if ('problem' in read) {
    top.problem('roster', `cannot read ${shown}: ${read.problem}`);
    return [];
  }
  files.push(shown);
  return readRoster(read.text, shown, source.issues);
}

function readInlineLearners(top: Top, source: YamlSource): LearnerDraft[] {
  const node = top.node('learners');
  if (isScalar(node) && typeof node.value === 'string') {
    top.problem('learners', `expected a list of learners, got ${quoteValue(node.value)}; to read a CSV roster write \`roster: ${node.value.trim()}\``);
    return [];
  }
  const items = top.items('learners', { required: true });
  if (!items) return [];
  if (items.length < LIMITS.learners.min) top.problem('learners', 'is empty; a course needs at least 1 learner');
  if (items.length > LIMITS.learners.max) top.keyProblem('learners', `lists ${items.length} learners; a course holds at most ${LIMITS.learners.max}`);
  return items.map((item) => {
    const draft: LearnerDraft = { at: { value: null, file: source.file, spot: item.spot, path: item.path } };
    const fields = TableFields.open(source, item.node, item.path, item.spot, TABLE.learners.items);
    if (!fields) return draft;
    const set = <K extends keyof LearnerDraft>(key: K, value: LearnerDraft[K] | undefined) => {
      if (value !== undefined) draft[key] = value;
    };
    // Patterns are checked by checkLearner(), for the roster's rows too.
    const unchecked = { checks: false };
    set('id', fields.read('id', unchecked));
    set('name', fields.read('name', unchecked));
    set('email', fields.read('email', unchecked));
    set('sshPublicKey', fields.read('ssh_public_key', unchecked));
    set('vms', fields.read('vms'));
    set('volumeGb', fields.read('volume_gb'));
    return draft;
  });
}
