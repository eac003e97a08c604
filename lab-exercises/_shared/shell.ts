/** Commands a wrong attempt types as the learner would; one that fails is a broken attempt, not a rejected one. */
import type { Lab } from '../../src/exercises/kit.js';

export async function must(lab: Lab, command: string, args: string[]): Promise<string> {
  const result = await lab.exec(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return result.stdout;
}

export async function mustSsh(lab: Lab, command: string): Promise<string> {
  const result = await lab.ssh(command);
  if (result.code !== 0) throw new Error(`on ${lab.vmName(1)}: ${command} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

export async function mustResops(lab: Lab, args: string[]): Promise<void> {
  const result = await lab.resops(args);
  if (result.code !== 0) throw new Error(`resops ${args.join(' ')} failed (exit ${result.code})`);
}
