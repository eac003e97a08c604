/** The openstack target's answers: VMs are Nova servers of the course, reached on their floating IP. */
import type { Course, Learner } from '../course/model.js';
import { effectiveCloudName } from '../openstack/cloud-config.js';
import type { LabTarget } from './lab-target.js';

async function courseServer(course: Course, name: string) {
  const { listCourseServers } = await import('../openstack/servers.js');
  return (await listCourseServers(effectiveCloudName(course.cloud.name), course.id)).find((s) => s.name === name);
}

async function cloudClient(course: Course) {
  const { clientFor } = await import('../openstack/client.js');
  return clientFor(effectiveCloudName(course.cloud.name));
}

/** The server called exactly `name` (Nova's name filter is a regular expression). */
async function serverNamed(client: Awaited<ReturnType<typeof cloudClient>>, name: string) {
  return (await client.compute.listServers({ name: `^${name}$` })).find((s) => s.name === name);
}

export function openstackLabTarget(course: Course, learner: Learner): LabTarget {
  const vm1 = `<address of ${course.id}-${learner.id}-vm1>`;
  return {
    async vm(name) {
      const server = await courseServer(course, name);
      if (!server) return { name, running: false, state: 'missing', exists: false, managed: false };
      // listCourseServers finds servers by the course's metadata: what it returns, the stacks made.
      return { name, exists: true, running: server.status === 'ACTIVE', state: server.status, managed: true };
    },
    async sshEndpoint(name) {
      const server = await courseServer(course, name);
      const address = server?.floatingAddresses[0];
      if (!address) return { problem: `${name} has no floating IP to SSH to${server ? ` (it is ${server.status})` : ' (no such server)'}` };
      return { host: address, port: 22 };
    },
    async serviceAddress(name, vm) {
      const endpoint = await this.sshEndpoint(name, vm);
      return 'problem' in endpoint ? endpoint : { address: endpoint.host };
    },
    // Cloud VMs are trusted on first use, then checked.
    hostKeyOptions: (knownHosts) => ['-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${knownHosts}`],
    sshCommands(key) {
      // A rebuilt VM has new host keys; ssh rightly refuses it until the old key is forgotten.
      return { ssh: `ssh${key ? ` -i ${key}` : ''} ${learner.id}@${vm1}`, forget: `ssh-keygen -R ${vm1}` };
    },
    urls() {
      // The monitoring host's address comes from its stack's outputs; the instructor hands it to
      // learners as RESOPS_MONITORING_HOST.
      const host = process.env.RESOPS_MONITORING_HOST ?? '<monitoring host>';
      return { prometheus: `http://${host}:9090`, pushgateway: `http://${host}:9091`, gnocchi: `http://${host}:8041` };
    },
    async failVm(name) {
      const client = await cloudClient(course);
      const server = await serverNamed(client, name);
      if (!server) return { problem: `no server named ${name} to fail` };
      // A lost VM: Terraform sees it gone and `apply` recreates it from the stack.
      await client.compute.deleteServer(server.id);
      // Nova deletes in the background and lists the server ACTIVE meanwhile: the step starts once it is gone.
      for (let i = 0; i < 60; i++) {
        if ((await client.compute.getServer(server.id)) === undefined) return {};
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
      return { problem: `${name} is still there 2 minutes after Nova was asked to delete it` };
    },
    async stopWorker(name) {
      const client = await cloudClient(course);
      const server = await serverNamed(client, name);
      if (!server) return;
      // Nova's stop: the server powers off, as a worker whose host died; its disk and port stay.
      await client.compute.serverAction(server.id, 'os-stop');
      // The stop is Nova's to finish: the server says ACTIVE until it has, and a start asked before is lost.
      for (let i = 0; i < 60 && (await client.compute.getServer(server.id))?.status !== 'SHUTOFF'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    },
    async restartWorker(name) {
      const client = await cloudClient(course);
      const server = await serverNamed(client, name);
      if (!server) return { problem: `no server named ${name} to start again` };
      for (let i = 0; i < 60; i++) {
        const now = await client.compute.getServer(server.id);
        if (now?.status === 'ACTIVE') return {};
        // Nova refuses a start (409) while the stop is still under way: asked again at the next look.
        if (now?.status === 'SHUTOFF') await client.compute.serverAction(server.id, 'os-start').catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
      return { problem: `${name} is not ACTIVE again after 5 min: start it (\`openstack server start ${name}\`) before the next run` };
    },
    async guard(address) {
      const [{ hostHealthProbes, courseCloudName }] = await Promise.all([import('../targets/course-cloud.js')]);
      try {
        await hostHealthProbes(courseCloudName(course)).guard(address);
        return {};
      } catch (error) {
        return { problem: (error as Error).message };
      }
    },
    async leftovers() {
      const [{ findLeftovers }, { belongsToLearner }] = await Promise.all([import('../openstack/leftovers.js'), import('../targets/leak-check.js')]);
      // The learner's own resources: the course's shared parts are not theirs to remove.
      return (await findLeftovers(effectiveCloudName(course.cloud.name), course.id)).filter((l) => belongsToLearner(l, course.id, learner.id)).map((l) => `${l.kind} ${l.name}`).sort();
    },
  };
}
