"""Cinder volume driver of the rehearsal cloud: every volume is a sparse file of its size.

A subclass of Cinder's fake driver (python3-cinder's FakeLoggingVolumeDriver: capacity,
scheduling and exports stay as they were), whose volumes now hold data: a sparse file
`<cloud>_volume-<id>` in /var/lib/cinder/volumes, made with the volume's size, grown with
it, copied for snapshots and clones, removed with the volume. A connection hands Nova the file's
path as os-brick's `local` protocol does (`device_path`); Nova's container driver attaches it to a
loop device and gives the server that block device as /dev/vdb... (resops-attach-volume).

Chosen over Cinder's LVM driver with an iSCSI target, as DevStack does on a loop file: that needs
device-mapper and an iSCSI initiator on the host, for the same block device in the end.
"""
import os
import re
import subprocess

from oslo_log import log as logging

from cinder import exception
from cinder.tests import fake_driver

LOG = logging.getLogger(__name__)

VOLUMES_DIR = '/var/lib/cinder/volumes'
GIB = 1024 ** 3
_ID = re.compile(r'^[0-9a-fA-F-]{36}$')


def _cloud():
    return os.environ.get('RESOPS_CLOUD_NAME') or 'resops-cloud'


def volume_path(volume_id):
    if not _ID.match(volume_id):
        raise exception.VolumeDriverException(message='not a volume id: %r' % volume_id)
    return os.path.join(VOLUMES_DIR, '%s_volume-%s' % (_cloud(), volume_id))


def snapshot_path(snapshot_id):
    if not _ID.match(snapshot_id):
        raise exception.VolumeDriverException(message='not a snapshot id: %r' % snapshot_id)
    return os.path.join(VOLUMES_DIR, '%s_snapshot-%s' % (_cloud(), snapshot_id))


def _sized(path, size_gb):
    # A sparse file: a 50 GB volume costs the host only what is written to it.
    with open(path, 'ab') as handle:
        handle.truncate(int(size_gb) * GIB)
    os.chmod(path, 0o600)


def _copy(source, target, size_gb):
    if not os.path.exists(source):
        raise exception.VolumeDriverException(message='%s is missing: its data cannot be copied' % source)
    # cp keeps the holes: a copy costs what was written, not the volume's size.
    subprocess.run(['cp', '--sparse=always', source, target], check=True, timeout=3600)
    _sized(target, size_gb)


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass  # deleting what is gone is done


class FileVolumeDriver(fake_driver.FakeLoggingVolumeDriver):
    """FakeLoggingVolumeDriver whose volumes are sparse files that servers see as block devices."""

    def do_setup(self, context):
        super(FileVolumeDriver, self).do_setup(context)
        os.makedirs(VOLUMES_DIR, mode=0o700, exist_ok=True)

    def create_volume(self, volume):
        update = super(FileVolumeDriver, self).create_volume(volume)
        _sized(volume_path(volume.id), volume.size)
        LOG.info('volume %s is %s (%d GiB, sparse)', volume.id, volume_path(volume.id), volume.size)
        return update

    def delete_volume(self, volume):
        _remove(volume_path(volume.id))

    def extend_volume(self, volume, new_size):
        _sized(volume_path(volume.id), new_size)

    def create_cloned_volume(self, volume, src_vref):
        _copy(volume_path(src_vref.id), volume_path(volume.id), volume.size)

    def create_snapshot(self, snapshot):
        _copy(volume_path(snapshot.volume_id), snapshot_path(snapshot.id), snapshot.volume_size)

    def delete_snapshot(self, snapshot):
        _remove(snapshot_path(snapshot.id))

    def create_volume_from_snapshot(self, volume, snapshot):
        _copy(snapshot_path(snapshot.id), volume_path(volume.id), volume.size)

    def initialize_connection(self, volume, connector):
        connection = super(FileVolumeDriver, self).initialize_connection(volume, connector)
        path = volume_path(volume['id'])
        if not os.path.exists(path):
            raise exception.VolumeDriverException(message='volume %s has no file (%s)' % (volume['id'], path))
        # os-brick's `local` protocol: the volume is already a path on the compute host.
        return {'driver_volume_type': 'local',
                'data': {'device_path': path, 'access_mode': connection['data']['access_mode'],
                         'volume_id': volume['id']}}

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        raise exception.VolumeDriverException(message='uploading a volume to an image is not supported by the rehearsal cloud')

