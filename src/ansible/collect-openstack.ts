/** The openstack target's inventory input: `terraform output -json` of each deployed stack. */
import type { SynthResult } from '../synth/synthesize.js';
import { readStackOutputs, type StackOutputs } from '../terraform/outputs.js';
import type { CourseOutputs } from './inventory.js';

export type OutputsReader = (binary: string, dir: string, env: Record<string, string>) => Promise<StackOutputs>;

/**
 * Reads the outputs of the learner, monitoring and pipeline stacks. A stack that has no outputs
 * (never applied) or whose outputs cannot be read is left out, with the reason in `errors`.
 */
export async function readCourseOutputs(
  synth: SynthResult,
  binary: string,
  env: Record<string, string> = {},
  read: OutputsReader = readStackOutputs,
): Promise<{ outputs: CourseOutputs; errors: string[] }> {
  const outputs: CourseOutputs = { learners: {} };
  const errors: string[] = [];
  const wanted = synth.stacks.filter((s) => s.kind !== 'network');
  // Sequential on purpose: each read may run `terraform init`, and inits share the plugin cache.
  for (const stack of wanted) {
    const result = await read(binary, stack.dir, env);
    if (result.error) {
      errors.push(`${stack.name}: ${result.error}`);
      continue;
    }
    const values = Object.keys(result.values).length ? result.values : undefined;
    if (stack.kind === 'learner' && stack.learnerId) outputs.learners[stack.learnerId] = values;
    else if (stack.kind === 'monitoring' && values) outputs.monitoring = values;
    else if (stack.kind === 'pipeline' && values) outputs.pipeline = values;
  }
  return { outputs, errors };
}
