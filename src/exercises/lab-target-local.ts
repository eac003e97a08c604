/** The local target's answers: VMs are containers, SSH is a published port on 127.0.0.1. */
import { LABELS, type Course, type Learner } from '../course/model.js';
import { learnerNetworkName, sshPort, vmAddress } from '../local/layout.js';
import type { LabTarget } from './lab-target.js';

async function docker(): Promise<import('dockerode')> {
  const { connectDocker } = await import('../local/docker.js');
  return (await connectDocker()).docker;
}

export function localLabTarget(course: Course, learner: Learner): LabTarget {
  return {
    async vm(name) {
      const info = await (await docker()).getContainer(name).inspect().catch(() => undefined);
      if (!info) return { name, running: false, state: 'missing', exists: false, managed: false };
      return {
        name,
        exists: true,
        managed: info.Config.Labels?.[LABELS.course] === course.id && info.Config.Labels?.[LABELS.learner] === learner.id,
        running: info.State.Running,
        state: info.State.Status,
        createdAt: new Date(info.Created),
        ...(info.State.StartedAt && !info.State.StartedAt.startsWith('0001') ? { startedAt: new Date(info.State.StartedAt) } : {}),
      };
    },
    async sshEndpoint(_name, vm) {
      return { host: '127.0.0.1', port: sshPort(course, learner, vm) };
    },
    async serviceAddress(name, vm) {
      // The VM's fixed address on its learner network: a container of this machine's own bridge.
      const info = await (await docker()).getContainer(name).inspect().catch(() => undefined);
      if (!info?.State.Running) return { problem: `${name} is not running` };
      return { address: info.NetworkSettings.Networks[learnerNetworkName(course, learner)]?.IPAddress || vmAddress(learner, vm) };
    },
    // Local VMs get new host keys whenever they are recreated, and every connection goes to this machine's loopback.
    hostKeyOptions: () => ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'],
    sshCommands(key) {
      const port = sshPort(course, learner, 1);
      return { ssh: `ssh${key ? ` -i ${key}` : ''} -p ${port} ${learner.id}@127.0.0.1`, forget: `ssh-keygen -R '[127.0.0.1]:${port}'` };
    },
    urls() {
      const p = course.local.ports;
      return { prometheus: `http://127.0.0.1:${p.prometheus}`, pushgateway: `http://127.0.0.1:${p.pushgateway}`, gnocchi: `http://127.0.0.1:${p.gnocchi}` };
    },
    async failVm(name) {
      await (await docker()).getContainer(name).remove({ force: true }).catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
      return {};
    },
    async stopWorker(name) {
      await (await docker()).getContainer(name).kill().catch(() => undefined);
    },
    async restartWorker() {
      return {};
    },
    async guard(address) {
      if (address.startsWith('127.')) return {};
      // Besides loopback, only the course's own containers: a VM's address on its network.
      const client = await docker();
      const ours = await client.listContainers({ filters: { label: [`${LABELS.course}=${course.id}`] } });
      const addresses = ours.flatMap((c) => Object.values(c.NetworkSettings?.Networks ?? {}).map((n) => n.IPAddress));
      return addresses.includes(address) ? {} : { problem: `${address} is not an address of course ${course.id}'s containers: the lab only talks to its own machines` };
    },
    async leftovers() {
      const { labelledLeftovers } = await import('../local/down.js');
      // Sorted: Docker lists in no stable order, and a learner compares two answers by eye.
      // The learner's own objects: the course's shared parts are not theirs to remove.
      return (await labelledLeftovers(await docker(), course.id, learner.id)).sort();
    },
  };
}
