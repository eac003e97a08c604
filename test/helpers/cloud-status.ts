import { runCloudCommand } from '../../src/cloud/command.js';

/** `resops cloud status --json` run in-process: its exit code and the document it printed. */
export async function cloudStatusJson<T>(cloud: string, stateDir: string): Promise<{ code: number; status: T }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  let code: number;
  try {
    code = await runCloudCommand(['status', '--json', '--name', cloud, '--state-dir', stateDir]);
  } finally {
    process.stdout.write = write;
  }
  return { code, status: JSON.parse(lines.join('')) as T };
}
