import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCourse, loadCourseText, type LoadOptions } from '../src/course/load.js';
import { CourseError, formatIssue } from '../src/course/model.js';
import { FIXTURES, keyBlob, publicKey } from './fixtures/course/keys.js';

const KEY = publicKey('dave');
const KEY_DATA = KEY.split(' ')[1]!;
// Built at run time so no private-key-shaped text sits in the repository.
const PRIVATE_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW';
const PRIVATE_KEY = ['-----BEGIN OPENSSH ' + 'PRIVATE KEY-----', PRIVATE_BODY, '-----END OPENSSH ' + 'PRIVATE KEY-----'].join('\n');

/** The CourseError `run` throws (anything else fails the test). */
function failure(run: () => unknown): CourseError {
  try {
    run();
  } catch (error) {
    if (error instanceof CourseError) return error;
    throw error;
  }
  throw new Error('expected a CourseError');
}

/** Formatted issues of loading `text` as course.yaml from the fixture folder. */
function problems(text: string, options: LoadOptions = {}): string[] {
  try {
    loadCourseText(text, 'course.yaml', FIXTURES, options);
  } catch (error) {
    if (!(error instanceof CourseError)) throw error;
    expect(error.message).toBe(error.issues.map(formatIssue).join('\n'));
    return error.issues.map(formatIssue);
  }
  throw new Error('the course loaded; expected problems');
}

/**
 * A valid course with one learner; `extra` starts on line 8.
 *   1 course: / 2 id / 3 title / 4 learners: / 5 - id / 6 name / 7 ssh_public_key
 */
const course = (extra = '', learner = '') => `course:
  id: demo
  title: Demo
learners:
  - id: dave
    name: Dave
    ssh_public_key: ${KEY}
${learner}${extra}`;

describe('the base course of these tests', () => {
  it('loads', () => {
    expect(loadCourseText(course(), 'course.yaml', FIXTURES).learners[0]!.id).toBe('dave');
  });
});

describe('file and YAML structure', () => {
  it('an empty file', () => {
    expect(problems('')).toEqual(['course.yaml: the file is empty; a course file needs at least `course` (id, title) and `learners` (see docs/course-file.md)']);
    expect(problems('# just a comment\n')).toEqual(['course.yaml: the file holds no fields (only comments); a course file needs at least `course` (id, title) and `learners`']);
  });

  it('a YAML syntax error, positioned by the parser', () => {
    expect(problems('course:\n  id: demo\n title: Demo\n')).toEqual(['course.yaml:3:1: YAML syntax error: All mapping items must start at the same column']);
    expect(problems('course:\n\tid: demo\n')).toEqual(['course.yaml:2:1: YAML syntax error: Tabs are not allowed as indentation']);
  });

  it('several YAML documents', () => {
    expect(problems(`${course()}---\ncourse: {}\n`)).toEqual(['course.yaml:8:1: YAML syntax error: the file holds several YAML documents (---); a course file holds one']);
  });

  it('a top level that is not a mapping', () => {
    expect(problems('- course\n- learners\n')).toEqual(['course.yaml:1:1: expected a mapping of fields at the top level (course:, learners:, …), got a list']);
  });

  it('a duplicate key names the line of the first', () => {
    expect(problems(course('monitoring: { enabled: true }\nmonitoring: { enabled: false }\n'))).toEqual([
      'course.yaml:9:1 monitoring: duplicate key (first at line 8); each field may appear once',
    ]);
  });

  it('a course file that cannot be read', () => {
    const error = failure(() => loadCourse(path.join('test', 'fixtures', 'course', 'missing.yaml')));
    expect(error.issues.map(formatIssue)).toEqual([`${path.join('test', 'fixtures', 'course', 'missing.yaml')}: cannot read the course file: no such file`]);
  });
});

describe('fields', () => {
  it('unknown fields, with a suggestion when one is close', () => {
    expect(problems(course('monitoring:\n  retension: 15d\nmonitorng: {}\n', '    sshKey: x\n'))).toEqual([
      'course.yaml:8:5 learners[0].sshKey: unknown field; did you mean `ssh_public_key`?',
      'course.yaml:10:3 monitoring.retension: unknown field; did you mean `retention`?',
      'course.yaml:11:1 monitorng: unknown field; did you mean `monitoring`?',
    ]);
  });

  it('unknown fields without a close match list the known ones', () => {
    expect(problems(course('pipeline: { nodes: 3 }\n'))).toEqual([
      'course.yaml:8:13 pipeline.nodes: unknown field (known fields here: workers, storage, volume_gb)',
    ]);
  });

  it('missing required fields point at their parent', () => {
    expect(problems('course:\n  id: demo\nlearners:\n  - id: dave\n    name: Dave\n')).toEqual([
      'course.yaml:1:1 course.title: required field is missing',
      'course.yaml:4:5 learners[0].ssh_public_key: required field is missing',
    ]);
    expect(problems('learners: []\n')).toEqual([
      'course.yaml:1:1 course: required field is missing',
      'course.yaml:1:11 learners: is empty; a course needs at least 1 learner',
    ]);
  });

  it('wrong types: string, number, boolean, list, mapping', () => {
    expect(problems(course('environment: { vms: two, volume_gb: 1.5 }\nmonitoring: { enabled: yes }\ncloud: [openstack]\nnetwork: { cidr: 167772160 }\n').replace('title: Demo', 'title: [Demo]'))).toEqual([
      'course.yaml:3:10 course.title: expected a string, got a list',
      'course.yaml:8:21 environment.vms: expected a whole number, got "two"',
      'course.yaml:8:37 environment.volume_gb: expected a whole number, got the number 1.5',
      'course.yaml:9:24 monitoring.enabled: expected true or false, got "yes"',
      'course.yaml:10:8 cloud: expected a mapping (indented `key: value` lines), got a list',
      'course.yaml:11:18 network.cidr: expected a string, got the number 167772160',
    ]);
  });

  it('learners written as a file name hints at `roster`', () => {
    expect(problems('course: { id: demo, title: Demo }\nlearners: learners.csv\n')).toEqual([
      'course.yaml:2:11 learners: expected a list of learners, got "learners.csv"; to read a CSV roster write `roster: learners.csv`',
    ]);
  });

  it('numbers out of range', () => {
    expect(problems(course('pipeline: { workers: 65 }\nenvironment: { vms: 0 }\n', '    volume_gb: -5\n'))).toEqual([
      'course.yaml:8:16 learners[0].volume_gb: must be between 0 and 10000, got -5',
      'course.yaml:9:22 pipeline.workers: must be between 0 and 64, got 65',
      'course.yaml:10:21 environment.vms: must be between 1 and 10, got 0',
    ]);
  });

  it('enums: target and storage, with did-you-mean', () => {
    expect(problems(course('target: Openstack\npipeline: { storage: objects }\n'))).toEqual([
      'course.yaml:8:9 target: must be `local` or `openstack`, not "Openstack"; did you mean `openstack`?',
      'course.yaml:9:22 pipeline.storage: must be `volume`, `object` or `both`, not "objects"; did you mean `object`?',
    ]);
  });

  it('monitoring.retention must be a Prometheus duration', () => {
    expect(problems(course('monitoring:\n  retention: 15 days\n'))).toEqual([
      'course.yaml:9:14 monitoring.retention: "15 days" is not a Prometheus duration (like 15d, 12h or 2w: a number and a unit y, w, d, h, m, s or ms, largest first)',
    ]);
    expect(problems(course('monitoring: { retention: 0d }\n'))).toHaveLength(1);
    expect(problems(course('monitoring: { retention: 30 }\n'))).toEqual([
      'course.yaml:8:26 monitoring.retention: expected a Prometheus duration (like 15d, 12h or 2w), got the number 30',
    ]);
  });
});

describe('credentials', () => {
  it('a password, token or application credential anywhere is refused without echoing it', () => {
    const lines = problems(course('cloud:\n  auth:\n    application_credential_id: id-ab12\n  password: hunter2\ntoken: gAAAAABsecret\nextras:\n  application_credential_secret: zz-top-secret\n'));
    const advice = 'credentials do not belong in the course file: keep them in clouds.yaml (secrets in secure.yaml), in OS_* environment variables, or in an application credential there; remove this field';
    expect(lines).toEqual([
      `course.yaml:9:3 cloud.auth: ${advice}`,
      `course.yaml:11:3 cloud.password: ${advice}`,
      `course.yaml:12:1 token: ${advice}`,
      'course.yaml:13:1 extras: unknown field (known fields here: course, target, state_dir, cloud, network, learners, roster, environment, monitoring, pipeline, expiry, accounts, budget, local)',
      `course.yaml:14:3 extras.application_credential_secret: ${advice}`,
    ]);
    for (const secret of ['id-ab12', 'hunter2', 'gAAAAABsecret', 'zz-top-secret']) expect(lines.join('\n')).not.toContain(secret);
  });
});

describe('course id and dates', () => {
  it('course.id must be DNS-safe and short', () => {
    expect(problems(course().replace('id: demo', 'id: Demo_1'))).toEqual([
      'course.yaml:2:7 course.id: "Demo_1" is not a valid course id: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (it prefixes every resource name)',
    ]);
    expect(problems(course().replace('id: demo', 'id: resops-course-for-2026-winter'))).toEqual([
      'course.yaml:2:7 course.id: "resops-course-for-2026-winter" is 29 characters long; at most 24 (it prefixes every resource name)',
    ]);
  });

  it('dates must be calendar dates and end no earlier than start', () => {
    const dates = (start: string, end: string) => course().replace('title: Demo\n', `title: Demo\n  start: ${start}\n  end: ${end}\n`);
    expect(problems(dates('2026-02-29', '2026-12-01'))).toEqual(['course.yaml:4:10 course.start: 2026-02-29 is not a calendar date']);
    expect(problems(dates('2026-12-05', '2026-12-01'))).toEqual(['course.yaml:5:8 course.end: 2026-12-01 is before course.start 2026-12-05']);
    expect(problems(dates('1 Dec 2026', '20261205'))).toEqual([
      'course.yaml:4:10 course.start: expected a date written YYYY-MM-DD (like 2026-12-01), got "1 Dec 2026"',
      'course.yaml:5:8 course.end: expected a date written YYYY-MM-DD (like 2026-12-01), got "20261205"',
    ]);
  });
});

describe('networks', () => {
  it('network.cidr: syntax, host bits, private range', () => {
    expect(problems(course('network: { cidr: 10.42.0.1/16 }\n'))).toEqual(['course.yaml:8:18 network.cidr: 10.42.0.1/16 has host bits set; did you mean 10.42.0.0/16?']);
    expect(problems(course('network: { cidr: 10.300.0.0/16 }\n'))).toEqual(['course.yaml:8:18 network.cidr: `10.300.0.0/16` is not an IPv4 CIDR (like 10.42.0.0/16)']);
    expect(problems(course('network: { cidr: 8.8.0.0/16 }\n'))).toEqual([
      'course.yaml:8:18 network.cidr: 8.8.0.0/16 is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); a course network must not hide public addresses',
    ]);
  });

  it('subnet_prefix: range and longer than the course prefix', () => {
    expect(problems(course('network: { cidr: 10.42.0.0/16, subnet_prefix: 30 }\n'))).toEqual(['course.yaml:8:47 network.subnet_prefix: must be between 1 and 28, got 30']);
    expect(problems(course('network: { cidr: 10.42.0.0/16, subnet_prefix: 12 }\n'))).toEqual([
      'course.yaml:8:47 network.subnet_prefix: must be longer than the course prefix /16 (subnets are carved out of network.cidr), got 12',
    ]);
  });

  it('a network too small for services + learners', () => {
    const learners = ['erin', 'fred'].map((id) => `  - { id: ${id}, name: ${id}, ssh_public_key: ${KEY} }\n`).join('');
    expect(problems(course('network:\n  cidr: 10.42.0.0/24\n', learners))).toEqual([
      'course.yaml:11:9 network.cidr: 10.42.0.0/24 holds 1 subnet of /24 but the course needs 4 (services + 3 learners); use a larger network.cidr or a longer network.subnet_prefix',
    ]);
  });

  it('ssh_allowed_cidrs and dns_servers entries', () => {
    expect(problems(course('cloud:\n  ssh_allowed_cidrs: [192.0.2.0/24, 192.0.2.1/24, any]\n  dns_servers: [9.9.9.9, dns.example]\n'))).toEqual([
      'course.yaml:9:37 cloud.ssh_allowed_cidrs[1]: 192.0.2.1/24 has host bits set; did you mean 192.0.2.0/24?',
      'course.yaml:9:51 cloud.ssh_allowed_cidrs[2]: `any` is not an IPv4 CIDR (like 10.42.0.0/16)',
      'course.yaml:10:26 cloud.dns_servers[1]: `dns.example` is not an IPv4 address (like 192.0.2.10)',
    ]);
  });

  it('the whole internet (0.0.0.0/0) in ssh_allowed_cidrs or dashboard_allowed_cidrs needs allow_world: true next to it', () => {
    expect(problems(course('cloud:\n  ssh_allowed_cidrs: [192.0.2.0/24, 0.0.0.0/0]\n'))).toEqual([
      'course.yaml:9:37 cloud.ssh_allowed_cidrs[1]: 0.0.0.0/0 opens SSH to the whole internet; write `allow_world: true` in the cloud section if that is really meant, or name your own network',
    ]);
    expect(problems(course('cloud:\n  dashboard_allowed_cidrs: [0.0.0.0/0]\n'))).toEqual([
      'course.yaml:9:29 cloud.dashboard_allowed_cidrs[0]: 0.0.0.0/0 opens Prometheus, Alertmanager and Gnocchi to the whole internet; write `allow_world: true` in the cloud section if that is really meant, or name your own network',
    ]);
    expect(problems(course('cloud:\n  ssh_allowed_cidrs: [0.0.0.0/0]\n  allow_world: yes\n'))).toEqual([
      expect.stringMatching(/^course\.yaml:9:23 cloud\.ssh_allowed_cidrs\[0\]: 0\.0\.0\.0\/0 opens SSH/),
      'course.yaml:10:16 cloud.allow_world: expected true or false, got "yes"',
    ]);
    const open = loadCourseText(course('cloud:\n  ssh_allowed_cidrs: [0.0.0.0/0]\n  allow_world: true\n'), 'course.yaml', FIXTURES);
    expect(open.cloud.sshAllowedCidrs).toEqual(['0.0.0.0/0']);
    // One list does not open the other.
    expect(open.cloud.dashboardAllowedCidrs).toEqual([]);
  });
});

describe('learners', () => {
  it('duplicate ids point at the second and name the first', () => {
    expect(problems(course('', `  - id: dave\n    name: Dave Again\n    ssh_public_key: ${publicKey('erin')}\n`))).toEqual([
      'course.yaml:8:9 learners[1].id: duplicate learner id "dave" (first used by learners[0] at line 5)',
    ]);
  });

  it('ids must be DNS-safe and not name a course-wide resource', () => {
    const learner = (id: string) => `  - { id: ${id}, name: X, ssh_public_key: ${KEY} }\n`;
    expect(problems(course('', learner('Erin') + learner('erin-') + learner('monitoring') + learner('worker2')))).toEqual([
      'course.yaml:8:11 learners[1].id: "Erin" is not a valid learner id: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (it names the learner\'s machines and networks)',
      'course.yaml:9:11 learners[2].id: "erin-" is not a valid learner id: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (it names the learner\'s machines and networks)',
      'course.yaml:10:11 learners[3].id: "monitoring" is reserved: course-wide resources are already named `<course id>-monitoring`',
      'course.yaml:11:11 learners[4].id: "worker2" is reserved: course-wide resources are already named `<course id>-worker2`',
    ]);
  });

  it('email must look like an address', () => {
    expect(problems(course('', '    email: dave at example.org\n'))).toEqual([
      'course.yaml:8:12 learners[0].email: "dave at example.org" does not look like an email address',
    ]);
  });

  it('both learners and roster, or neither', () => {
    expect(problems(course('roster: learners.csv\n'))).toEqual(['course.yaml:8:1 roster: give either `learners` (a list in this file) or `roster` (a CSV file), not both']);
    expect(problems('course: { id: demo, title: Demo }\n')).toEqual([
      'course.yaml:1:1 learners: missing: list the learners here, or name a CSV roster with `roster: learners.csv`',
    ]);
  });
});

describe('SSH public keys', () => {
  const withKey = (key: string) => problems(course().replace(KEY, key));
  const at = 'course.yaml:7:21 learners[0].ssh_public_key';

  it('text that is no key', () => {
    expect(withKey('my key')).toEqual([
      `${at}: not an OpenSSH public key: unknown key type \`my\` (expected ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or an sk-… security key type)`,
    ]);
    expect(withKey('ssh-ed25519')).toEqual([`${at}: not an OpenSSH public key: the key data after \`ssh-ed25519\` is missing`]);
    expect(withKey('ssh-ed25519 AAAA%%%')).toEqual([`${at}: not an OpenSSH public key: the key data after \`ssh-ed25519\` is not valid base64`]);
  });

  it('key data that contradicts or truncates the declared type', () => {
    expect(withKey(`ssh-rsa ${KEY_DATA} dave`)).toEqual([`${at}: not an OpenSSH public key: the line says ssh-rsa but the key data is ssh-ed25519`]);
    expect(withKey(`ssh-ed25519 ${KEY_DATA.slice(0, 40)} dave`)).toEqual([`${at}: not an OpenSSH public key: the ssh-ed25519 key data is truncated or corrupt`]);
  });

  it('old or weak keys', () => {
    expect(withKey(publicKey('rsa-1024'))).toEqual([`${at}: RSA key has 1024 bits; at least 2048 are needed (generate a new one with \`ssh-keygen -t ed25519\`)`]);
    expect(withKey(`ssh-dss ${keyBlob('ssh-dss', 'p', 'q', 'g', 'y')}`)).toEqual([
      `${at}: ssh-dss (DSA) keys are no longer accepted by OpenSSH; generate one with \`ssh-keygen -t ed25519\``,
    ]);
  });

  it('security keys (sk-…) are accepted', () => {
    const sk = `sk-ssh-ed25519@openssh.com ${keyBlob('sk-ssh-ed25519@openssh.com', Buffer.alloc(32, 7), 'ssh:')} yubikey`;
    expect(loadCourseText(course().replace(KEY, sk), 'course.yaml', FIXTURES).learners[0]!.sshPublicKey).toBe(sk);
  });

  it('a pasted private key is refused without echoing it', () => {
    const text = course().replace(`ssh_public_key: ${KEY}`, `ssh_public_key: |\n${PRIVATE_KEY.split('\n').map((l) => `      ${l}`).join('\n')}`);
    const lines = problems(text);
    expect(lines).toEqual([
      "course.yaml:7:21 learners[0].ssh_public_key: holds a private key; the course file carries only public keys: paste the learner's public key (the .pub file) and treat this private key as leaked",
    ]);
    expect(lines.join('\n')).not.toContain(PRIVATE_BODY.slice(0, 12));
  });
});

describe('state_dir', () => {
  it('must stay relative and inside the project', () => {
    expect(problems(course('state_dir: /var/lib/resops\n'))).toEqual([
      'course.yaml:8:12 state_dir: "/var/lib/resops" must be relative to the course file\'s directory (absolute paths would name this machine in synthesized files)',
    ]);
    expect(problems(course('state_dir: state/../../elsewhere\n'))).toEqual([
      'course.yaml:8:12 state_dir: "state/../../elsewhere" leaves the course file\'s directory; keep the state inside the project',
    ]);
    expect(loadCourseText(course('state_dir: ./state//demo/\n'), 'course.yaml', FIXTURES).stateDir).toBe('state/demo');
  });
});

describe('the openstack target', () => {
  it('needs the cloud section, whether the file or --target asks for it', () => {
    expect(problems(course('target: openstack\n'))).toEqual([
      'course.yaml:1:1 cloud: required when the target is openstack (set by `target`): external_network, image and flavors',
    ]);
    expect(problems(course(), { target: 'openstack' })).toEqual([
      'course.yaml:1:1 cloud: required when the target is openstack (set by --target): external_network, image and flavors',
    ]);
  });

  it('an empty cloud section or flavor counts as missing', () => {
    expect(problems(course('target: openstack\ncloud:\n'))).toEqual([
      'course.yaml:9:1 cloud: has no value; required when the target is openstack (set by `target`): external_network, image and flavors',
    ]);
    expect(problems(course('target: openstack\ncloud: { external_network: public, image: debian-12, flavors: }\n'))).toEqual([
      'course.yaml:9:54 cloud.flavors: has no value; required when the target is openstack (set by `target`): the flavor of each machine role',
    ]);
  });

  it('needs the flavors of the roles in use', () => {
    const cloud = 'target: openstack\ncloud:\n  external_network: public\n  image: debian-12\n  flavors:\n    learner: { name: m1.small, vcpus: 1, ram_mb: 2048 }\n';
    expect(problems(course(`${cloud}pipeline: { workers: 0 }\n`))).toEqual([
      'course.yaml:12:3 cloud.flavors.monitoring: required when the target is openstack (set by `target`) and monitoring is enabled',
    ]);
    expect(loadCourseText(course(`${cloud}pipeline: { workers: 0 }\nmonitoring: { enabled: false }\n`), 'course.yaml', FIXTURES).target).toBe('openstack');
  });

  it('a flavor needs its size', () => {
    expect(problems(course('cloud:\n  flavors:\n    learner: { name: m1.small }\n'))).toEqual([
      'course.yaml:10:5 cloud.flavors.learner.vcpus: required field is missing',
      'course.yaml:10:5 cloud.flavors.learner.ram_mb: required field is missing',
    ]);
  });
});

describe('local ports', () => {
  it('service ports may not collide with each other or with learner SSH ports', () => {
    expect(problems(course('local:\n  ssh_port_base: 9089\n  ports: { swift: 9091 }\n'))).toEqual([
      "course.yaml:8:1 local.ports.prometheus: the default 9090 is among the learners' SSH ports 9090–9090 (local.ssh_port_base 9089 + learner × 10 + vm)",
      'course.yaml:10:19 local.ports.swift: 9091 is also local.ports.pushgateway',
    ]);
  });

  it('learner SSH ports must stay below 65536', () => {
    expect(problems(course('local: { ssh_port_base: 65525 }\nenvironment: { vms: 10 }\n', '  - { id: erin, name: Erin, ssh_public_key: ' + KEY + ' }\n'))).toEqual([
      'course.yaml:9:25 local.ssh_port_base: 65525 leaves no room: the learners\' SSH ports would reach 65545, above 65535',
    ]);
  });
});

describe('the roster CSV', () => {
  const roster = (csv: string) => `course: { id: demo, title: Demo }\nroster: ${csv}\n`;

  it('reports header and row problems with the CSV file, line and column', () => {
    const error = failure(() => loadCourse(path.join(FIXTURES, 'bad-roster', 'course.yaml')));
    const file = path.join(FIXTURES, 'bad-roster', 'learners.csv');
    const erinKeyColumn = 'erin,Erin,erin@,'.length + 1;
    expect(error.issues.map(formatIssue)).toEqual([
      `${file}:1:9 roster.e-mail: unknown column; did you mean \`email\`?`,
      `${file}:3:1 roster[1].id: duplicate learner id "dave" (first used by roster[0] at line 2)`,
      `${file}:3:${'dave,Dave Again,,'.length + KEY.length + 2} roster[1].vms: must be between 1 and 10, got 12`,
      `${file}:4:${erinKeyColumn} roster[2].ssh_public_key: not an OpenSSH public key: unknown key type \`not-a-key\` (expected ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or an sk-… security key type)`,
    ]);
  });

  it('a roster that is missing, or has no learners', () => {
    expect(problems(roster('nobody.csv'))).toEqual(['course.yaml:2:9 roster: cannot read nobody.csv: no such file']);
    expect(problems(roster('keys/dave.pub'))).toEqual([
      `keys/dave.pub:1:1 roster: column 1 of the header row, "${KEY.slice(0, 39)}…", is not a column name (columns: id, name, email, ssh_public_key, vms, volume_gb)`,
      'keys/dave.pub:1:1 roster.id: required column is missing from the header row',
      'keys/dave.pub:1:1 roster.name: required column is missing from the header row',
      'keys/dave.pub:1:1 roster.ssh_public_key: required column is missing from the header row',
      'keys/dave.pub:1:1 roster: no learners: add one row per learner below the header row',
    ]);
  });
});

describe('several problems at once', () => {
  it('one CourseError lists every problem, in file order', () => {
    const file = path.join(FIXTURES, 'many-errors.yaml');
    const error = failure(() => loadCourse(file));
    expect(error.issues.map(formatIssue)).toEqual([
      `${file}:2:7 course.id: "Bad_Course" is not a valid course id: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (it prefixes every resource name)`,
      `${file}:5:8 course.end: 2026-12-01 is before course.start 2026-12-05`,
      `${file}:6:9 target: must be \`local\` or \`openstack\`, not "openstak"; did you mean \`openstack\`?`,
      `${file}:9:3 cloud.application_credential_secret: credentials do not belong in the course file: keep them in clouds.yaml (secrets in secure.yaml), in OS_* environment variables, or in an application credential there; remove this field`,
      `${file}:11:9 network.cidr: 10.42.0.1/16 has host bits set; did you mean 10.42.0.0/16?`,
      `${file}:16:9 learners[1].id: duplicate learner id "dave" (first used by learners[0] at line 13)`,
      `${file}:18:21 learners[1].ssh_public_key: not an OpenSSH public key: the ssh-ed25519 key data is truncated or corrupt`,
      `${file}:20:3 monitoring.retension: unknown field; did you mean \`retention\`?`,
    ]);
    expect(error.message.split('\n')).toHaveLength(8);
    expect(error.message).not.toContain('do-not-echo-me');
  });
});

describe('cloud.admin_ssh_public_key', () => {
  it('is read as the instructors\' public key', () => {
    const loaded = loadCourseText(course(`cloud:\n  admin_ssh_public_key: ${KEY}\n`), 'course.yaml', FIXTURES);
    expect(loaded.cloud.adminSshPublicKey).toBe(KEY);
  });

  it('must be an OpenSSH public key, and a private key is refused without echoing it', () => {
    expect(problems(course('cloud:\n  admin_ssh_public_key: ssh-ed25519 notbase64!\n'))).toEqual([
      'course.yaml:9:25 cloud.admin_ssh_public_key: not an OpenSSH public key: the key data after `ssh-ed25519` is not valid base64',
    ]);
    const lines = problems(course(`cloud:\n  admin_ssh_public_key: |\n    ${PRIVATE_KEY.split('\n').join('\n    ')}\n`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^course\.yaml:9:25 cloud\.admin_ssh_public_key: .*private key/);
    expect(lines[0]).not.toContain(PRIVATE_BODY);
  });
});

describe('cloud.provider_mirror', () => {
  it('is kept as written (trimmed), to resolve from the course file\'s directory when Terraform runs', () => {
    expect(loadCourseText(course('cloud:\n  provider_mirror: " ../mirror "\n'), 'course.yaml', FIXTURES).cloud.providerMirror).toBe('../mirror');
    expect(loadCourseText(course(), 'course.yaml', FIXTURES).cloud.providerMirror).toBeUndefined();
  });

  it('must be a non-empty string, and ~ is refused rather than silently not expanded', () => {
    expect(problems(course('cloud:\n  provider_mirror: 3\n'))).toEqual([
      'course.yaml:9:20 cloud.provider_mirror: expected the path of a directory, got the number 3',
    ]);
    expect(problems(course('cloud:\n  provider_mirror: [a, b]\n'))).toEqual([
      'course.yaml:9:20 cloud.provider_mirror: expected the path of a directory, got a list',
    ]);
    expect(problems(course('cloud:\n  provider_mirror: " "\n'))).toEqual(['course.yaml:9:20 cloud.provider_mirror: is empty']);
    expect(problems(course('cloud:\n  provider_mirror: ~/mirror\n'))).toEqual([
      'course.yaml:9:20 cloud.provider_mirror: "~/mirror": `~` is not expanded here; write the directory relative to the course file\'s directory, or absolute',
    ]);
  });
});
