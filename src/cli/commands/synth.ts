import { isAbsolute, relative } from 'node:path';
import { synthCourse } from '../../synth/synthesize.js';
import { DEFAULT_OUT_DIR } from '../../targets/openstack-driver.js';
import { formatTable } from '../table.js';
import { COMMON_OPTIONS, print, type CliCommand } from '../command.js';
import { loadCourseArg, outDirArg } from '../course-file.js';

/** Relative to the current directory when inside it, else absolute. */
function displayPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
}

export const command: CliCommand = {
  usage: 'FILE [--out DIR] [--json]',
  description: [
    'Writes the Terraform stacks of the course (cdk.tf.json per stack, as `cdktf synth` lays them',
    'out). Always the openstack stacks, whatever the course\'s target.',
  ],
  options: { out: COMMON_OPTIONS.out, json: COMMON_OPTIONS.json },
  positionals: [1, 1],
  async run({ values, positionals }) {
    const course = loadCourseArg(positionals[0], 'synth');
    const outDir = outDirArg(values.out) ?? DEFAULT_OUT_DIR;
    const result = synthCourse(course, outDir);
    if (values.json) {
      print(JSON.stringify(result, null, 2));
      return 0;
    }
    const rows = result.stacks.map((s) => [s.name, s.kind, displayPath(s.dir), s.dependsOn.join(', ')]);
    for (const line of formatTable(['stack', 'kind', 'directory', 'after'], rows)) print(line);
    print(`${result.stacks.length} stacks written to ${result.outDir}`);
    return 0;
  },
};
