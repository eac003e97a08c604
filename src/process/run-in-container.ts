/**
 * The runner's contract for a command run inside a running container through Docker's exec API
 * (a lab machine, a pipeline worker): the same options, result and CommandFailed as on the host.
 *
 * Docker has no call that stops an exec; a command that outlives its timeout is reported as
 * timed out and left to the container, whose own lifetime bounds it.
 */
import type Docker from 'dockerode';
import { CommandFailed, exitCodeOf, type CommandEnd } from './command-failed.js';
import { readDockerOutput } from './docker-output.js';
import { redact } from './redact.js';
import { commandLine, type CommandOptions, type CommandResult } from './run-command.js';

export interface ContainerCommandOptions extends Pick<CommandOptions, 'env' | 'timeoutMs' | 'onLine' | 'secrets' | 'check'> {
  user?: string;
  workdir?: string;
}

export async function runInContainer(docker: Docker, container: Docker.Container, where: string, cmd: readonly string[], options: ContainerCommandOptions): Promise<CommandResult> {
  const [command = '', ...args] = cmd;
  const shown = commandLine(command, args, options.secrets);
  let exec: Docker.Exec;
  let stream: NodeJS.ReadableStream;
  try {
    exec = await container.exec({
      Cmd: [...cmd],
      Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
      AttachStdout: true,
      AttachStderr: true,
      ...(options.user ? { User: options.user } : {}),
      ...(options.workdir ? { WorkingDir: options.workdir } : {}),
    });
    stream = (await exec.start({})) as NodeJS.ReadableStream;
  } catch (error) {
    const reason = redact(error instanceof Error ? error.message : String(error), options.secrets);
    throw Object.assign(new CommandFailed(shown, { kind: 'not-started', reason }, [], where), { cause: error });
  }
  const output = readDockerOutput(docker, stream, options);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)));
  const how = await Promise.race([output.lines.then(() => 'ended' as const), timedOut]);
  clearTimeout(timer);
  let end: CommandEnd;
  if (how === 'timeout') {
    output.close();
    end = { kind: 'timeout', afterMs: options.timeoutMs };
  } else {
    const exitCode = await exec.inspect().then(
      (info) => info.ExitCode,
      () => null,
    );
    // No exit code: the container was killed under the command.
    end = exitCode === null || exitCode === undefined ? { kind: 'signal', signal: 'SIGKILL' } : { kind: 'exit', code: exitCode };
  }
  const result: CommandResult = { command: shown, code: exitCodeOf(end), end, stdout: output.stdout(), stderr: output.stderr(), tail: output.tail() };
  if (options.check !== false && result.code !== 0) throw new CommandFailed(shown, end, result.tail, where);
  return result;
}
