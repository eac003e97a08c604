import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { courseYaml } from './course-yaml.js';

/**
 * A local course for walking the exercises (tests and bench), with an SSH key made by ssh-keygen
 * for learner1, who walks; more learners (`learners`) are classmates whose labs must stay as they
 * are. Ranges no other Docker test file uses: 10.80–99, ports 50000–59999.
 */
export function writeExerciseCourse(dir: string, id: string, n: number, learners = 1): { file: string; key: string } {
  const key = join(dir, 'learner1');
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `learner1@${id}`, '-f', key]);
  if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr.toString()}`);
  const octet = 80 + (n % 20);
  const base = 50_000 + (n % 100) * 100;
  const file = join(dir, 'course.yaml');
  const course = courseYaml({ id, target: 'local', learners, monitoring: true, workers: 2, storage: 'volume', cidr: `10.${octet}.0.0/16`, sshPublicKeys: [readFileSync(`${key}.pub`, 'utf8').trim()], prices: true });
  writeFileSync(
    file,
    `${course}state_dir: state
local:
  ssh_port_base: ${base}
  ports: { prometheus: ${base + 90}, pushgateway: ${base + 91}, alertmanager: ${base + 93}, gnocchi: ${base + 41}, swift: ${base + 80} }
`,
  );
  return { file, key };
}
