"""Nova compute driver of the rehearsal cloud: every server is a Docker container that boots.

A subclass of Nova's fake driver, which keeps doing what it did (the compute node's resources,
Placement inventory, volume and interface bookkeeping); what a hypervisor does is done on the
host's Docker, through the socket mounted into the cloud's container:

- spawn: create `resops-server-<uuid>` from the Docker image of the Glance image (image property
  `resops_docker_image`, else resops/server:latest) with the run options of
  src/cloud/server-boot.ts and the flavor's vCPUs and RAM as limits, copy the NoCloud seed into it
  (instance id, hostname, the key pair's public key, the user data), start it;
- power_off / power_on / reboot: docker stop / start / restart (the disk stays; the instance id
  stays, so cloud-init's per-instance modules run only on the first boot);
- destroy: remove the container and its anonymous volumes;
- get_info: the power state from the container's real state, so a container stopped outside Nova
  is SHUTDOWN and Nova's power-state sync makes the server SHUTOFF.

Containers carry `resops.role=cloud-server`, `resops.cloud=<cloud container>` and
`resops.nova-instance=<uuid>`, which `resops cloud status` and `cloud down --purge` look for.
Network, as Neutron says: the container starts without Docker's network, and each of its Neutron
ports is plugged as a hypervisor plugs a tap device (resops-plug-port, as root through sudo): a
veth pair whose cloud end is named like Nova's tap device for the port, which Neutron's Linux
bridge agent puts into the network's bridge and filters with the port's security groups, and
whose other end is the server's eth0, eth1... with the port's MAC address, MTU and fixed IPs (and
the first subnet's gateway as default route), as its DHCP client would have set them. Routers,
SNAT and floating IPs are Neutron's L3 agent's. A container's network namespace dies with it, and
the veth with it: every start (power on, reboot, the cloud's own start) plugs the ports again.

Volumes, as block devices: Cinder's volumes are sparse files (resops_volumes.driver), whose
connection hands over the file's path. Attaching one (resops-attach-volume, as root through sudo)
backs a loop device with it, lets the server's container use that one device (its cgroup's
devices.allow) and makes the node Nova chose (/dev/vdb...) inside the server, where mkfs and mount
work as on a VM's virtio disk. A container's /dev and device rules are made anew at every start:
every start attaches its volumes again, before its ports, so that they are there when systemd
mounts what /etc/fstab names.
"""
import base64
import ipaddress
import os
import subprocess

from oslo_log import log as logging

from nova.compute import power_state
from nova import exception
from nova.virt import fake
from nova.virt import hardware

from . import dockerapi

LOG = logging.getLogger(__name__)

IMAGE_PROPERTY = 'resops_docker_image'

_POWER_STATES = {
    'created': power_state.SHUTDOWN,
    'running': power_state.RUNNING,
    'restarting': power_state.RUNNING,
    'paused': power_state.PAUSED,
    'exited': power_state.SHUTDOWN,
    'dead': power_state.SHUTDOWN,
    'removing': power_state.NOSTATE,
}

PLUG = ['sudo', '-n', '/usr/local/bin/resops-plug-port']
VOLUME = ['sudo', '-n', '/usr/local/bin/resops-attach-volume']

# systemd's clean shutdown takes ≈1.3 s; a soft reboot gets this long before Docker kills it.
SOFT_REBOOT_WAIT = 30


def container_name(instance):
    return 'resops-server-%s' % instance.uuid


class ContainerDriver(fake.FakeDriver):
    """FakeDriver whose servers are containers on the host's Docker."""

    def __init__(self, virtapi, read_only=False):
        super(ContainerDriver, self).__init__(virtapi, read_only)
        self.cloud = os.environ.get('RESOPS_CLOUD_NAME') or 'resops-cloud'
        self.docker = dockerapi.Docker(os.environ.get('RESOPS_DOCKER_SOCKET') or dockerapi.DEFAULT_SOCKET)

    def init_host(self, host):
        super(ContainerDriver, self).init_host(host)
        try:
            self.docker.ping()
        except dockerapi.DockerError as error:
            # nova-compute stops here: `resops cloud up` then reports it as not up, and the log says why.
            LOG.error('servers are containers, but %s (is /var/run/docker.sock mounted and readable by nova?)', error)
            raise
        LOG.info('servers are containers on the host\'s Docker: cloud %s', self.cloud)

    # --- what the fake driver left to a hypervisor ------------------------------------------
    def _labels(self, instance):
        return {
            'resops.role': 'cloud-server',
            'resops.cloud': self.cloud,
            'resops.nova-instance': instance.uuid,
            'resops.server-name': instance.display_name or '',
            'resops.project': instance.project_id or '',
        }

    def _image(self, instance):
        # Nova copies every image property into the instance's system metadata as image_<key>.
        return (instance.system_metadata or {}).get('image_' + IMAGE_PROPERTY) or dockerapi.DEFAULT_IMAGE

    def _create(self, instance, network_info):
        spec = {
            'name': container_name(instance),
            'image': self._image(instance),
            'hostname': instance.hostname,
            'labels': self._labels(instance),
            'vcpus': instance.flavor.vcpus,
            'ram_mb': instance.flavor.memory_mb,
            'ports': len(network_info or []),
            # What `resops cloud up` found on the host (RESOPS_SERVER_DEVICES): /dev/fuse when the
            # kernel has FUSE, as a VM's kernel would give its root.
            'devices': os.environ.get('RESOPS_SERVER_DEVICES', '').split(),
        }
        container = self.docker.create(dockerapi.server_create_options(spec, self.docker.host_cpus()))
        user_data = base64.b64decode(instance.user_data) if instance.user_data else b''
        keys = [line.strip() for line in (instance.key_data or '').splitlines() if line.strip()]
        seed = dockerapi.seed_files(instance.uuid, instance.hostname, user_data, keys)
        self.docker.put_archive(container, dockerapi.SEED_DIR, dockerapi.pack_tar(seed))
        return container

    def _running_pid(self, instance):
        """The PID (on the host) of the server container's init, or None when it is not running."""
        info = self.docker.inspect(container_name(instance))
        if info is None or not info['State'].get('Running'):
            return None
        pid = info['State'].get('Pid') or 0
        return pid if pid > 1 else None

    def _plug(self, instance, network_info):
        """Plugs every port into the running container (its entry point waits for them)."""
        self._require(instance)
        pid = self._running_pid(instance)
        if pid is None:
            raise exception.NovaException('server container %s is not running: nothing to plug ports into' % container_name(instance))
        for index, vif in enumerate(network_info or []):
            command = PLUG + ['plug', '--pid', str(pid), '--tap', (vif.get('devname') or 'tap' + vif['id'])[:14],
                              '--ifname', 'eth%d' % index, '--mac', vif['address']]
            network = vif['network']
            command += ['--bridge', network.get('bridge') or 'brq' + network['id'][:11]]
            mtu = network.get_meta('mtu') if hasattr(network, 'get_meta') else None
            if mtu:
                command += ['--mtu', str(mtu)]
            gateway = None
            for subnet in network['subnets']:
                prefix = ipaddress.ip_network(subnet['cidr']).prefixlen
                for ip in subnet['ips']:
                    if ip['version'] == 4:
                        command += ['--address', '%s/%d' % (ip['address'], prefix)]
                        if gateway is None and subnet['gateway'] and subnet['gateway']['address']:
                            gateway = subnet['gateway']['address']
            # One default route, through the first port's subnet, as DHCP gives on a VM.
            if index == 0 and gateway:
                command += ['--gateway', gateway]
            result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
            if result.returncode != 0:
                raise exception.NovaException('plugging port %s into %s failed: %s' % (vif['id'], container_name(instance), result.stdout.strip()))
        LOG.info('plugged %d port(s) into %s', len(network_info or []), container_name(instance), instance=instance)

    def _volume_command(self, args, instance):
        result = subprocess.run(VOLUME + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        if result.returncode != 0:
            raise exception.NovaException('%s of a volume for %s failed: %s' % (args[0], container_name(instance), result.stdout.strip()))
        return result.stdout.strip()

    @staticmethod
    def _volume_file(connection_info):
        if (connection_info or {}).get('driver_volume_type') != 'local':
            return None  # a volume of another backend (the fake one): nothing to show the server
        return connection_info['data']['device_path']

    def _attach(self, instance, connection_info, mountpoint):
        path = self._volume_file(connection_info)
        if path is None:
            return
        pid = self._running_pid(instance)
        if pid is None:
            return  # a stopped server gets its volumes at its next start
        loop = self._volume_command(['attach', '--pid', str(pid), '--file', path, '--device', mountpoint], instance)
        LOG.info('volume %s attached to %s as %s (%s)', connection_info['data'].get('volume_id'), container_name(instance), mountpoint, loop, instance=instance)

    def _attach_all(self, instance, block_device_info):
        for bdm in (block_device_info or {}).get('block_device_mapping') or []:
            self._attach(instance, bdm['connection_info'], bdm['mount_device'])

    def _release_all(self, instance, block_device_info):
        for bdm in (block_device_info or {}).get('block_device_mapping') or []:
            path = self._volume_file(bdm['connection_info'])
            if path is not None:
                self._volume_command(['detach', '--file', path], instance)

    def _start(self, instance, network_info, block_device_info=None):
        info = self.docker.inspect(container_name(instance))
        if info is not None and info['State'].get('Running'):
            return  # running means plugged: a second veth could not become eth0
        self.docker.start(container_name(instance))
        # Volumes first: the entry point starts systemd once the ports are up.
        self._attach_all(instance, block_device_info)
        self._plug(instance, network_info)

    def default_root_device_name(self, instance, image_meta, root_bdm):
        # As on libvirt/KVM, a research cloud's hypervisor: virtio disks, so that Nova names the
        # first attached volume /dev/vdb, as the playbooks expect (Nova's default is /dev/sda).
        return '/dev/vda'

    def attach_volume(self, context, connection_info, instance, mountpoint,
                      disk_bus=None, device_type=None, encryption=None):
        self._attach(instance, connection_info, mountpoint)
        super(ContainerDriver, self).attach_volume(context, connection_info, instance, mountpoint,
                                                   disk_bus=disk_bus, device_type=device_type, encryption=encryption)

    def detach_volume(self, context, connection_info, instance, mountpoint,
                      encryption=None):
        path = self._volume_file(connection_info)
        if path is not None:
            args = ['detach', '--file', path]
            pid = self._running_pid(instance)
            if pid is not None:
                args += ['--pid', str(pid), '--device', mountpoint]
            self._volume_command(args, instance)
        super(ContainerDriver, self).detach_volume(context, connection_info, instance, mountpoint, encryption=encryption)

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        super(ContainerDriver, self).spawn(
            context, instance, image_meta, injected_files, admin_password, allocations,
            network_info=network_info, block_device_info=block_device_info,
            power_on=power_on, accel_info=accel_info)
        name = container_name(instance)
        try:
            # A container of the same name is a leftover of an earlier, failed attempt.
            self.docker.remove(name)
            self._create(instance, network_info)
            if power_on:
                self._start(instance, network_info, block_device_info)
        except (dockerapi.DockerError, exception.NovaException) as error:
            self.docker.remove(name)
            super(ContainerDriver, self).destroy(context, instance, network_info)
            # Not rescheduled (there is one host): the server goes to ERROR with this as its fault.
            raise exception.BuildAbortException(instance_uuid=instance.uuid, reason=str(error))
        LOG.info('server container %s created from %s%s', name, self._image(instance), ' and started' if power_on else '', instance=instance)

    def _require(self, instance):
        info = self.docker.inspect(container_name(instance))
        if info is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        return info

    def power_off(self, instance, timeout=0, retry_interval=0):
        self._require(instance)
        # timeout 0 is Nova's forced power-off: Docker kills at once.
        self.docker.stop(container_name(instance), timeout or 0)

    def power_on(self, context, instance, network_info,
                 block_device_info=None, accel_info=None):
        self._require(instance)
        self._start(instance, network_info, block_device_info)

    def reboot(self, context, instance, network_info, reboot_type,
               block_device_info=None, bad_volumes_callback=None,
               accel_info=None):
        if self.docker.inspect(container_name(instance)) is None and reboot_type.lower() == 'hard':
            # As libvirt does for a guest it no longer has: make it anew (with the same instance id).
            self.spawn(context, instance, instance.image_meta, None, None, None,
                       network_info=network_info, block_device_info=block_device_info)
            return
        self._require(instance)
        self.docker.stop(container_name(instance), SOFT_REBOOT_WAIT if reboot_type.lower() == 'soft' else 0)
        self._start(instance, network_info, block_device_info)

    def resume_state_on_host_boot(self, context, instance, network_info,
                                  block_device_info=None):
        # The cloud was stopped with its servers (`resops cloud down`): start them again.
        self._require(instance)
        self._start(instance, network_info, block_device_info)

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        if self.docker.remove(container_name(instance)):
            LOG.info('server container %s removed', container_name(instance), instance=instance)
        self._release_all(instance, block_device_info)
        super(ContainerDriver, self).destroy(
            context, instance, network_info, block_device_info=block_device_info,
            destroy_disks=destroy_disks, destroy_secrets=destroy_secrets)

    def get_info(self, instance, use_cache=True):
        info = self._require(instance)
        return hardware.InstanceInfo(state=_POWER_STATES.get(info['State']['Status'], power_state.NOSTATE))

    def _containers(self):
        return self.docker.list({'resops.role': 'cloud-server', 'resops.cloud': self.cloud})

    def list_instances(self):
        return [c['Names'][0].lstrip('/') for c in self._containers()]

    def list_instance_uuids(self):
        return [c['Labels']['resops.nova-instance'] for c in self._containers()]

    def instance_on_disk(self, instance):
        return False
