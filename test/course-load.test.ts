import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCourse, loadCourseText } from '../src/course/load.js';
import { CourseError, formatIssue } from '../src/course/model.js';
import { checkSshPublicKey } from '../src/course/ssh-key.js';
import { ed25519Key, FIXTURES, publicKey } from './fixtures/course/keys.js';

const ROOT = path.resolve(FIXTURES, '../../..');
const EXAMPLES = path.join(ROOT, 'examples');

/** Each learner line of a course file, for checks that compare the model with the file's text. */
function sampleKeys(): string[] {
  return [...readFileSync(path.join(EXAMPLES, 'course.yaml'), 'utf8').matchAll(/ssh_public_key: (.+)$/gm)].map((m) => m[1]!.trim());
}

function failure(run: () => unknown): CourseError {
  try {
    run();
  } catch (error) {
    if (error instanceof CourseError) return error;
    throw error;
  }
  throw new Error('expected a CourseError');
}

describe('the sample course (examples/course.yaml)', () => {
  const course = loadCourse(path.join(EXAMPLES, 'course.yaml'));

  it('resolves the course, cloud and services', () => {
    expect(course.id).toBe('resops-demo');
    expect(course.dir).toBe(EXAMPLES);
    expect(course.file).toBe(path.join(EXAMPLES, 'course.yaml'));
    expect([course.start, course.end]).toEqual(['2026-12-01', '2026-12-05']);
    expect(course.target).toBe('local');
    expect(course.stateDir).toBe('.resops/resops-demo');
    expect(course.cloud.flavors.worker).toEqual({ name: 'm1.large', vcpus: 4, ramMb: 8192 });
    expect(course.cloud.prices).toEqual({ currency: 'EUR', vcpuHour: 0.01, ramGbHour: 0.005, volumeGbHour: 0.0002, floatingIpHour: 0.004 });
    expect(course.cloud.sshAllowedCidrs).toEqual(['192.0.2.0/24']);
    expect(course.monitoring).toEqual({ enabled: true, retention: '15d', volumeGb: 20 });
    expect(course.pipeline).toEqual({ workers: 2, storage: 'volume', volumeGb: 50 });
  });

  it('carves subnet 0 for services and subnet i+1 for learner i', () => {
    expect(course.network).toEqual({ cidr: '10.42.0.0/16', subnetPrefix: 24, servicesSubnet: '10.42.0.0/24' });
    expect(course.learners.map((l) => [l.id, l.index, l.subnetCidr])).toEqual([
      ['alice', 0, '10.42.1.0/24'],
      ['bob', 1, '10.42.2.0/24'],
      ['carol', 2, '10.42.3.0/24'],
    ]);
  });

  it('applies per-learner overrides over the environment defaults', () => {
    expect(course.learners.map((l) => [l.id, l.vms, l.volumeGb])).toEqual([
      ['alice', 2, 10],
      ['bob', 1, 10],
      ['carol', 1, 20],
    ]);
    expect(course.learners[2]!.email).toBeUndefined();
  });

  it('carries real ed25519 public keys, each different, and no private key', () => {
    const keys = sampleKeys();
    expect(course.learners.map((l) => l.sshPublicKey)).toEqual(keys);
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(checkSshPublicKey(key)).toEqual({ ok: true, type: 'ssh-ed25519' });
    // The files of the repository; `.resops/` is a state directory (ignored by git) where the
    // automation key of a sample lab brought up here lives.
    const files = readdirSync(EXAMPLES, { withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) expect(readFileSync(path.join(EXAMPLES, file.name), 'utf8')).not.toMatch(/PRIVATE KEY/);
  });

  it('takes the target from the caller when given (the --target flag)', () => {
    expect(loadCourse(path.join(EXAMPLES, 'course.yaml'), { target: 'openstack' }).target).toBe('openstack');
  });
});

describe('the roster form', () => {
  it('examples/course-roster.yaml reads the same learners from learners.csv', () => {
    const course = loadCourse(path.join(EXAMPLES, 'course-roster.yaml'));
    expect(course.learners.map((l) => [l.id, l.name, l.email])).toEqual([
      ['alice', 'Liddell, Alice', 'alice@example.org'],
      ['bob', 'Bob Marley', undefined],
      ['carol', 'Carol "Captain" Danvers', 'carol@example.org'],
    ]);
    expect(course.learners.map((l) => l.sshPublicKey)).toEqual(sampleKeys());
    expect(course.pipeline.storage).toBe('object');
    expect(course.monitoring.retention).toBe('7d');
  });

  it('resolves a roster in a subfolder, with BOM, CRLF, any column order, blank rows and quoted commas', () => {
    const course = loadCourse(path.join(FIXTURES, 'good-roster', 'course.yaml'));
    expect(course.learners).toEqual([
      { id: 'dave', name: 'Dave "the first", Senior', email: 'dave@example.org', sshPublicKey: publicKey('dave'), index: 0, subnetCidr: '10.42.1.0/24', vms: 2, volumeGb: 0 },
      { id: 'erin', name: 'Erin Example', sshPublicKey: publicKey('erin'), index: 1, subnetCidr: '10.42.2.0/24', vms: 2, volumeGb: 10 },
    ]);
  });
});

describe('defaults', () => {
  it('a minimal course gets every documented default', () => {
    const text = `course: { id: mini, title: Minimal }\nlearners:\n  - { id: dave, name: Dave, ssh_public_key: ${publicKey('dave')} }\n`;
    const course = loadCourseText(text, 'mini.yaml', '.');
    expect(course.dir).toBe(process.cwd());
    expect(course.target).toBe('local');
    expect(course.stateDir).toBe('.resops/mini');
    expect(course.start).toBeUndefined();
    expect(course.cloud).toEqual({
      name: 'openstack', region: 'RegionOne', externalNetwork: 'public', image: 'debian-12', imageUser: 'debian',
      flavors: {
        learner: { name: 'm1.small', vcpus: 1, ramMb: 2048 },
        monitoring: { name: 'm1.medium', vcpus: 2, ramMb: 4096 },
        worker: { name: 'm1.large', vcpus: 4, ramMb: 8192 },
      },
      dnsServers: [], sshAllowedCidrs: [], dashboardAllowedCidrs: [],
    });
    expect(course.network).toEqual({ cidr: '10.42.0.0/16', subnetPrefix: 24, servicesSubnet: '10.42.0.0/24' });
    expect(course.learners[0]).toMatchObject({ vms: 1, volumeGb: 10, subnetCidr: '10.42.1.0/24' });
    expect(course.monitoring).toEqual({ enabled: true, retention: '15d', volumeGb: 20 });
    expect(course.pipeline).toEqual({ workers: 2, storage: 'volume', volumeGb: 50 });
    expect(course.local).toEqual({ sshPortBase: 2200, ports: { prometheus: 9090, pushgateway: 9091, alertmanager: 9093, gnocchi: 8041, swift: 8081 } });
  });

  it('a field written without a value takes its default', () => {
    const text = `course: { id: mini, title: Minimal }\nstate_dir:\nnetwork: { cidr: , subnet_prefix: }\nmonitoring:\nlocal: { ports: { swift: } }\nlearners:\n  - { id: dave, name: Dave, ssh_public_key: ${publicKey('dave')}, vms: }\n`;
    const course = loadCourseText(text, 'mini.yaml', '.');
    expect([course.stateDir, course.network.cidr, course.network.subnetPrefix, course.local.ports.swift, course.learners[0]!.vms]).toEqual(['.resops/mini', '10.42.0.0/16', 24, 8081, 1]);
  });

  it('accepts 0.0.0.0/0 when written with allow_world, other subnet sizes, YAML aliases and every key family', () => {
    const learners = ['dave', 'rsa-3072', 'ecdsa-384'] as const;
    const text = [
      'course: { id: wide, title: Wide open }',
      'cloud: { ssh_allowed_cidrs: [0.0.0.0/0], allow_world: true }',
      'network: { cidr: 192.168.0.0/22, subnet_prefix: 26 }',
      'environment: { vms: &vms 3 }',
      'monitoring: { volume_gb: &size 30 }',
      'pipeline: { volume_gb: *size }',
      'learners:',
      ...learners.map((k, i) => `  - { id: l${i}, name: L${i}, ssh_public_key: "${publicKey(k)}"${i === 2 ? ', vms: *vms' : ', vms: 1'} }`),
    ].join('\n');
    const course = loadCourseText(text, 'c.yaml', '.');
    expect(course.cloud.sshAllowedCidrs).toEqual(['0.0.0.0/0']);
    expect(course.network.servicesSubnet).toBe('192.168.0.0/26');
    expect(course.learners.map((l) => l.subnetCidr)).toEqual(['192.168.0.64/26', '192.168.0.128/26', '192.168.0.192/26']);
    expect(course.learners.map((l) => l.vms)).toEqual([1, 1, 3]);
    expect(course.pipeline.volumeGb).toBe(30);
  });
});

describe('course size', () => {
  const learnerLines = (count: number) =>
    Array.from({ length: count }, (_, i) => `  - { id: l${i}, name: Learner ${i}, ssh_public_key: ${ed25519Key(`l${i}`)} }`).join('\n');
  const bigCourse = (count: number) => `course: { id: big, title: Big }\nnetwork: { cidr: 10.40.0.0/14 }\nlearners:\n${learnerLines(count)}\n`;

  it('500 learners load, each in its own subnet', () => {
    const started = performance.now();
    const course = loadCourseText(bigCourse(500), 'big.yaml', '.');
    const elapsed = performance.now() - started;
    expect(course.learners).toHaveLength(500);
    const subnets = new Set(course.learners.map((l) => l.subnetCidr));
    expect(subnets.size).toBe(500);
    // learner 499 is subnet 500: 10.40.0.0 + 500 * 256 addresses
    const offset = 500 * 256;
    expect(course.learners[499]!.subnetCidr).toBe(`10.${40 + Math.floor(offset / 65536)}.${Math.floor(offset / 256) % 256}.0/24`);
    expect(elapsed).toBeLessThan(3000);
  });

  it('501 learners are one too many', () => {
    const error = failure(() => loadCourseText(bigCourse(501), 'big.yaml', '.'));
    expect(error.issues.map(formatIssue)).toEqual(['big.yaml:3:1 learners: lists 501 learners; a course holds at most 500']);
  });

  it('the default network holds 255 learners, not 256', () => {
    const text = (count: number) => `course: { id: big, title: Big }\nlearners:\n${learnerLines(count)}\n`;
    expect(loadCourseText(text(255), 'big.yaml', '.').learners[254]!.subnetCidr).toBe('10.42.255.0/24');
    expect(failure(() => loadCourseText(text(256), 'big.yaml', '.')).issues.map(formatIssue)).toEqual([
      'big.yaml:2:1 learners: the default network.cidr 10.42.0.0/16 holds 256 subnets of /24 but the course needs 257 (services + 256 learners); use a larger network.cidr or a longer network.subnet_prefix',
    ]);
  });
});

describe('loading changes nothing', () => {
  function snapshot(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const full = path.join(d, name);
        const stat = statSync(full);
        out.push(`${path.relative(dir, full)} ${stat.size} ${stat.mtimeMs}`);
        if (stat.isDirectory()) walk(full);
      }
    };
    walk(dir);
    return out;
  }

  it('leaves the fixture and example folders as they were, after good and bad loads', () => {
    const before = [snapshot(FIXTURES), snapshot(EXAMPLES)];
    expect(() => loadCourse(path.join(FIXTURES, 'bad-roster', 'course.yaml'))).toThrow(CourseError);
    expect(() => loadCourse(path.join(FIXTURES, 'many-errors.yaml'))).toThrow(CourseError);
    expect(() => loadCourse(path.join(FIXTURES, 'no-such-course.yaml'))).toThrow(CourseError);
    loadCourse(path.join(FIXTURES, 'good-roster', 'course.yaml'));
    loadCourse(path.join(EXAMPLES, 'course.yaml'));
    expect([snapshot(FIXTURES), snapshot(EXAMPLES)]).toEqual(before);
  });
});
