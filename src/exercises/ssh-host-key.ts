/**
 * What a check says when SSH meets a machine whose host key is not the one remembered for it:
 * ssh's own "Host key verification failed" tells a learner neither why nor what to do, and the
 * two causes want opposite answers (a rebuilt server: forget its old key; anything else: stop).
 */

/**
 * ssh's stderr says the host key was refused. With `StrictHostKeyChecking=accept-new`, as the
 * checks use, an unknown key is accepted and remembered: a refusal means a changed one.
 */
export function hostKeyRefused(stderr: string): boolean {
  return /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/.test(stderr);
}

/** The name ssh keeps the key under: the alias when one is given, else `host` or `[host]:port`. */
export function knownHostsEntry(host: string, port: number, alias?: string): string {
  if (alias) return alias;
  return port === 22 ? host : `[${host}]:${port}`;
}

export function changedHostKeyMessage(shown: string, host: string, knownHosts: string, entry: string): string {
  return (
    `${shown} (${host}) answered with another host key than the one remembered for it in ${knownHosts}. ` +
    `If that machine was rebuilt (a new server from \`up\` or \`terraform apply\`), forget its old key and check again: ` +
    `\`ssh-keygen -f ${knownHosts} -R '${entry}'\`. If it was not rebuilt, stop and tell your instructor: something else answers at that address`
  );
}
