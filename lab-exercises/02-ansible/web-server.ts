/**
 * The machine the web step configures, per target: on OpenStack the server the learner's own
 * stack made in exercise 01 (its floating IP, the image's user, their key pair); on the local
 * target their VM (its address on the learner network, as `resops inventory` reaches it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { CommandResult, Lab } from '../../src/exercises/kit.js';
import { appliedServer } from '../01-iac/iac.js';

export interface WebServer {
  name: string;
  /** Where this machine reaches its web page. */
  address: string;
  /** Cloud server ID (openstack): the same before and after a rule is added in place. */
  id?: string;
  createdAt?: Date;
  /** How Ansible logs in to it. */
  hostVars: Record<string, unknown>;
  ssh: (command: string) => Promise<CommandResult>;
}

export const webPlaybookFile = (lab: Lab) => lab.path('ansible', 'web.yml');
export const webInventoryFile = (lab: Lab) => lab.path('ansible', 'web-inventory.yml');

export async function webServer(lab: Lab): Promise<WebServer> {
  if (lab.target === 'openstack') {
    const server = await appliedServer(lab);
    const user = lab.course.cloud.imageUser;
    return {
      name: server.name,
      address: server.address,
      id: server.id,
      createdAt: server.created,
      hostVars: {
        ansible_host: server.address,
        ansible_user: user,
        ansible_python_interpreter: '/usr/bin/python3',
        ...(lab.privateKey ? { ansible_ssh_private_key_file: lab.privateKey } : {}),
        // Trusted on first use per server, as the checks' own SSH does.
        ansible_ssh_common_args: `-o HostKeyAlias=${server.id} -o UserKnownHostsFile=${lab.knownHostsFile} -o StrictHostKeyChecking=accept-new`,
      },
      ssh: (command) => lab.sshAt(server.address, user, command, { hostKeyAlias: server.id }),
    };
  }
  const vm = await lab.requireVm(1);
  return {
    name: vm.name,
    address: await lab.serviceAddress(1),
    ...(vm.createdAt ? { createdAt: vm.createdAt } : {}),
    hostVars: await lab.learnerHostVars(1),
    ssh: (command) => lab.ssh(command),
  };
}

/** `ansible/web-inventory.yml`: the group `web`, holding the web server. */
export function writeWebInventory(lab: Lab, server: WebServer): string {
  const file = webInventoryFile(lab);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `# Your web server, for ansible-playbook -i ${lab.shown(file)} (written by the exercise; no secrets)\n${stringify({ all: { children: { web: { hosts: { [server.name]: server.hostVars } } } } }, { lineWidth: 0 })}`);
  return file;
}

/** The step's playbook, as the step asks for it unless `options` leave a part out or do it otherwise. */
export function webPlaybook(lab: Lab, options: { install?: 'package' | 'shell'; page?: boolean; service?: boolean } = {}): string {
  const install = options.install === 'shell'
    ? `    - name: Install nginx
      ansible.builtin.shell: apt-get install -y nginx
`
    : `    - name: Install nginx
      ansible.builtin.package:
        name: nginx
        state: present
`;
  const page = options.page === false ? '' : `
    - name: My page
      ansible.builtin.copy:
        dest: /var/www/html/index.html
        content: "<h1>Hello from ${lab.learner.id}</h1>\\n"
        mode: "0644"
`;
  const service = options.service === false ? '' : `
    - name: Nginx runs, now and after a reboot
      ansible.builtin.service:
        name: nginx
        state: started
        enabled: true
`;
  return `---
- name: My web server
  hosts: web
  become: true
  tasks:
    - name: Package lists are fresh
      ansible.builtin.apt:
        update_cache: true
        cache_valid_time: 3600

${install}${page}${service}`;
}
