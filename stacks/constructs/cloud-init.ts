import { stringify } from 'yaml';

export interface CloudInitUser {
  name: string;
  /** Full name, shown by `finger`/`getent`. */
  gecos?: string;
  sshPublicKeys: string[];
}

export interface CloudInitProps {
  /** Extra login users (e.g. the learner); each gets passwordless sudo and a locked password. */
  users?: CloudInitUser[];
  /** Keys authorised for the image's default user (the instructors' automation). Default: none. */
  defaultUserKeys?: string[];
  /** Packages to install on first boot. Default: python3 (what Ansible needs on the target). */
  packages?: string[];
  /** Commands run once, at the end of the first boot (cloud-init's runcmd), each as argv. Default: none. */
  commands?: string[][];
}

/**
 * cloud-config user data: keys only, no password login, no root login; python3 so Ansible can
 * configure the machine. Deterministic output, so re-synthesizing does not recreate servers.
 */
export function cloudInitUserData(props: CloudInitProps): string {
  const users: unknown[] = ['default'];
  for (const user of props.users ?? []) {
    users.push({
      name: user.name,
      ...(user.gecos ? { gecos: user.gecos } : {}),
      shell: '/bin/bash',
      sudo: 'ALL=(ALL) NOPASSWD:ALL',
      lock_passwd: true,
      ssh_authorized_keys: user.sshPublicKeys,
    });
  }
  const config: Record<string, unknown> = {
    users,
    ssh_pwauth: false,
    disable_root: true,
    package_update: true,
    packages: props.packages ?? ['python3'],
  };
  if (props.commands && props.commands.length > 0) config.runcmd = props.commands;
  if (props.defaultUserKeys && props.defaultUserKeys.length > 0) {
    config.ssh_authorized_keys = props.defaultUserKeys;
  }
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}
