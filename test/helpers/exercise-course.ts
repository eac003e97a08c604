import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A one-learner local course for walking the exercises (tests and bench), with an SSH key made
 * by ssh-keygen for the learner. Ranges no other Docker test file uses: 10.80–99, ports 50000–59999.
 */
export function writeExerciseCourse(dir: string, id: string, n: number): { file: string; key: string } {
  const key = join(dir, 'learner1');
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `learner1@${id}`, '-f', key]);
  if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr.toString()}`);
  const octet = 80 + (n % 20);
  const base = 50_000 + (n % 100) * 100;
  const file = join(dir, 'course.yaml');
  writeFileSync(
    file,
    `course: { id: ${id}, title: exercises end to end, start: 2026-12-01, end: 2026-12-03 }
target: local
state_dir: state
cloud:
  name: c
  external_network: public
  image: debian-12
  image_user: debian
  flavors:
    learner: { name: m1.small, vcpus: 1, ram_mb: 2048 }
    monitoring: { name: m1.medium, vcpus: 2, ram_mb: 4096 }
    worker: { name: m1.large, vcpus: 4, ram_mb: 8192 }
  ssh_allowed_cidrs: [192.0.2.0/24]
  prices: { currency: EUR, vcpu_hour: 0.01, ram_gb_hour: 0.005, volume_gb_hour: 0.0002, floating_ip_hour: 0.004 }
network: { cidr: 10.${octet}.0.0/16 }
learners:
  - id: learner1
    name: Learner One
    ssh_public_key: ${readFileSync(`${key}.pub`, 'utf8').trim()}
monitoring: { enabled: true }
pipeline: { workers: 2, storage: volume }
local:
  ssh_port_base: ${base}
  ports: { prometheus: ${base + 90}, pushgateway: ${base + 91}, alertmanager: ${base + 93}, gnocchi: ${base + 41}, swift: ${base + 80} }
`,
  );
  return { file, key };
}
