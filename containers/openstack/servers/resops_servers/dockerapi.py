"""Docker Engine API over the host's unix socket, and a rehearsal server's container.

Plain HTTP (http.client) on /var/run/docker.sock, which `resops cloud up --servers containers`
mounts into the cloud's container: no Docker SDK to install, and nova-compute's eventlet makes
these sockets green. API version 1.41 (Docker 20.10) is pinned, so that newer daemons keep its
semantics (e.g. `MacAddress` in the container's config).

`server_create_options` and `seed_files` are src/cloud/server-boot.ts's `serverCreateOptions` and
`seedFiles` in Python: test/cloud-server-parity.test.ts checks that both give the same.
"""
import http.client
import io
import json
import socket
import tarfile
import urllib.parse

import yaml

API = '/v1.41'
DEFAULT_SOCKET = '/var/run/docker.sock'
DEFAULT_IMAGE = 'resops/server:latest'
SEED_DIR = '/var/lib/cloud/seed/nocloud'
DOCKER_DATA_DIR = '/var/lib/docker'
MIB = 1024 * 1024


class DockerError(Exception):
    def __init__(self, method, path, status, message):
        super().__init__('Docker: %s %s answered %s: %s' % (method, path, status, message))
        self.status = status


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__('localhost', timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class Docker(object):
    """The few calls a server's life needs. Every call is bounded by `timeout` seconds."""

    def __init__(self, socket_path=DEFAULT_SOCKET, timeout=60):
        self.socket_path = socket_path
        self.timeout = timeout

    def request(self, method, path, query=None, body=None, raw=None, content_type=None, ok=(200, 201, 204, 304), timeout=None):
        url = API + path
        if query:
            url += '?' + urllib.parse.urlencode(query)
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        elif raw is not None:
            data = raw
            headers['Content-Type'] = content_type or 'application/octet-stream'
        conn = _UnixConnection(self.socket_path, timeout or self.timeout)
        try:
            try:
                conn.request(method, url, body=data, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except OSError as error:
                raise DockerError(method, path, 'nothing', 'cannot talk to Docker at %s (%s)' % (self.socket_path, error))
        finally:
            conn.close()
        text = payload.decode('utf-8', 'replace')
        parsed = None
        if text and (response.getheader('Content-Type') or '').startswith('application/json'):
            parsed = json.loads(text)
        if response.status not in ok:
            message = parsed.get('message') if isinstance(parsed, dict) else text.strip()
            raise DockerError(method, path, response.status, message or response.reason)
        return response.status, parsed

    # --- daemon -----------------------------------------------------------------------------
    def ping(self):
        self.request('GET', '/_ping')

    def host_cpus(self):
        return self.request('GET', '/info')[1]['NCPU']

    # --- containers -------------------------------------------------------------------------
    def create(self, options):
        options = dict(options)
        name = options.pop('name')
        return self.request('POST', '/containers/create', query={'name': name}, body=options)[1]['Id']

    def put_archive(self, container, path, data):
        self.request('PUT', '/containers/%s/archive' % container, query={'path': path}, raw=data, content_type='application/x-tar')

    def start(self, container):
        self.request('POST', '/containers/%s/start' % container)

    def stop(self, container, wait):
        self.request('POST', '/containers/%s/stop' % container, query={'t': int(wait)}, timeout=self.timeout + wait)

    def restart(self, container, wait):
        self.request('POST', '/containers/%s/restart' % container, query={'t': int(wait)}, timeout=self.timeout + wait)

    def remove(self, container):
        """Removes it with its anonymous volumes; False when it was already gone."""
        status, _ = self.request('DELETE', '/containers/%s' % container, query={'force': 'true', 'v': 'true'}, ok=(204, 404))
        return status != 404

    def inspect(self, container):
        """The container's description, or None when there is no such container."""
        status, info = self.request('GET', '/containers/%s/json' % container, ok=(200, 404))
        return None if status == 404 else info

    def list(self, labels):
        filters = json.dumps({'label': ['%s=%s' % item for item in sorted(labels.items())]})
        return self.request('GET', '/containers/json', query={'all': 'true', 'filters': filters})[1]


def server_create_options(spec, host_cpus):
    """The container of one server, as serverCreateOptions() in src/cloud/server-boot.ts.

    spec: name, labels, hostname, vcpus, ram_mb, and optionally image, network, mac_address,
    ports (how many Neutron ports will be plugged into it: it starts without Docker's network and
    its entry point waits for them before it starts systemd), devices (host character devices it
    may use at the same path: /dev/fuse).
    """
    memory = spec['ram_mb'] * MIB
    host_config = {
        # NET_ADMIN and a cgroup namespace of its own: what Docker inside the server needs.
        'CapAdd': ['SYS_ADMIN', 'NET_ADMIN'],
        'SecurityOpt': ['seccomp=unconfined', 'apparmor=unconfined'],
        'CgroupnsMode': 'private',
        'Tmpfs': {
            '/run': 'rw,nosuid,nodev,mode=755',
            '/run/lock': 'rw,nosuid,nodev,noexec,mode=1777',
            '/tmp': 'rw,nosuid,nodev,mode=1777',
        },
        'Memory': memory,
        'MemorySwap': memory,
        'NanoCpus': int(round(min(spec['vcpus'], host_cpus) * 1e9)),
        # A quarter of Docker's default weight: the cloud's own services come first.
        'CpuShares': 256,
    }
    if spec.get('network'):
        host_config['NetworkMode'] = spec['network']
    elif spec.get('ports') is not None:
        host_config['NetworkMode'] = 'none'
    if spec.get('devices'):
        host_config['Devices'] = [{'PathOnHost': path, 'PathInContainer': path, 'CgroupPermissions': 'rwm'} for path in spec['devices']]
    options = {
        'name': spec['name'],
        'Image': spec.get('image') or DEFAULT_IMAGE,
        'Hostname': spec['hostname'],
        'Labels': spec['labels'],
        'HostConfig': host_config,
        # Docker's data on a volume (overlay2 cannot stack on the container's overlay root).
        'Volumes': {DOCKER_DATA_DIR: {}},
    }
    if spec.get('mac_address'):
        options['MacAddress'] = spec['mac_address']
    if spec.get('ports') is not None:
        options['Env'] = ['RESOPS_PORTS=%d' % spec['ports']]
    return options


def seed_files(instance_id, hostname, user_data, public_keys=()):
    """The NoCloud seed, as seedFiles() in src/cloud/server-boot.ts: [(name, bytes, mode)]."""
    meta = {'instance-id': instance_id, 'local-hostname': hostname}
    if public_keys:
        meta['public-keys'] = list(public_keys)
    meta_data = yaml.safe_dump(meta, default_flow_style=False, sort_keys=False, width=1 << 20)
    if isinstance(user_data, str):
        user_data = user_data.encode()
    # User data may hold secrets (Nova shows it only to its owner): root-only.
    return [('meta-data', meta_data.encode(), 0o644), ('user-data', user_data or b'', 0o600)]


def pack_tar(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w', format=tarfile.USTAR_FORMAT) as tar:
        for name, content, mode in files:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = mode
            info.uid = info.gid = 0
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()
