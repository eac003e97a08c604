#!/usr/bin/python3
"""What a pipeline node does outside the workflow's rules: make the reference ready, read an object.

The workflow (containers/pipeline/workflow, Snakemake on Slurm) runs the pipeline's steps; this
script is what `resops pipeline run` asks of each node before and after:
  ready   resolve the indexed reference: instant when baked into the image, else fetched from the
          run's storage and indexed once per container (the cloud-native image). Prints one JSON
          line (seconds, bytes) that the run reports as the `ready` stage.
  cat     print one of the run's files (name=...) from its storage.

Storage (RESOPS_STORAGE):
  volume  a shared POSIX directory RESOPS_DATA (default /data) mounted on every node: the run's
          files are RESOPS_DATA/<run>/<name>.
  object  OpenStack Swift: objects <run>/<name> in SWIFT_CONTAINER. Keystone v3 with the usual OS_*
          variables when OS_AUTH_URL is set (OpenStack), else tempauth (SWIFT_AUTH_URL, SWIFT_USER,
          SWIFT_KEY: the local target).
"""
import fcntl
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REFERENCE_OBJECT = 'reference/lambda_virus.fa'
# The same path as the baked image's: the VCF header names the reference file.
REF_CACHE = '/ref'


def fail(message):
    print(f'resops-pipeline: {message}', file=sys.stderr)
    sys.exit(2)


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        fail(f'{name} is not set')
    return value


class VolumeStorage:
    def __init__(self, run):
        self.root = os.path.join(env('RESOPS_DATA', '/data'), run) if run else env('RESOPS_DATA', '/data')
        os.makedirs(self.root, exist_ok=True)

    def get(self, name, scratch):
        path = os.path.join(self.root, name)
        if not os.path.exists(path):
            fail(f'{path} does not exist (did the previous stage run?)')
        return path

    def get_shared(self, name, dest):
        path = os.path.join(os.path.dirname(self.root), name)
        if not os.path.exists(path):
            fail(f'{path} does not exist')
        shutil.copyfile(path, dest)


class SwiftStorage:
    """Swift's HTTP API with the standard library only (no swiftclient start-up cost)."""

    def __init__(self, run):
        # Imported here: urllib.request pulls in http, ssl and email (≈0.1 s), which a volume run
        # does not need.
        global urllib
        import urllib.error
        import urllib.parse
        import urllib.request
        self.run = run
        self.container = env('SWIFT_CONTAINER')
        self.url, self.token = self.auth()

    def auth(self):
        """(storage URL, token): Keystone v3 when OS_AUTH_URL is set (the OpenStack target: the
        container the Pipeline stack made), else Swift's tempauth (the local target's Swift)."""
        if os.environ.get('OS_AUTH_URL'):
            return self.keystone_auth()
        auth_url = env('SWIFT_AUTH_URL')
        request = urllib.request.Request(auth_url, headers={'X-Auth-User': env('SWIFT_USER'), 'X-Auth-Key': env('SWIFT_KEY')})
        response, _ = self.send(request, f'tempauth at {auth_url}')
        return response.headers['X-Storage-Url'], response.headers['X-Auth-Token']

    def keystone_auth(self):
        """A token from Keystone v3 with the usual OS_* variables (an application credential, or a
        user's password scoped to a project) and Swift's URL from the token's catalog."""
        base = env('OS_AUTH_URL').rstrip('/')
        url = f'{base}/auth/tokens' if base.endswith('/v3') else f'{base}/v3/auth/tokens'
        user_domain = {'name': os.environ.get('OS_USER_DOMAIN_NAME', 'Default')}
        if os.environ.get('OS_APPLICATION_CREDENTIAL_SECRET'):
            credential = {'secret': os.environ['OS_APPLICATION_CREDENTIAL_SECRET']}
            if os.environ.get('OS_APPLICATION_CREDENTIAL_ID'):
                credential['id'] = os.environ['OS_APPLICATION_CREDENTIAL_ID']
            else:
                credential['name'] = env('OS_APPLICATION_CREDENTIAL_NAME')
                credential['user'] = {'name': env('OS_USERNAME'), 'domain': user_domain}
            body = {'auth': {'identity': {'methods': ['application_credential'], 'application_credential': credential}}}
        else:
            project = ({'id': os.environ['OS_PROJECT_ID']} if os.environ.get('OS_PROJECT_ID') else
                       {'name': env('OS_PROJECT_NAME'), 'domain': {'name': os.environ.get('OS_PROJECT_DOMAIN_NAME', 'Default')}})
            user = {'name': env('OS_USERNAME'), 'password': env('OS_PASSWORD'), 'domain': user_domain}
            body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': user}}, 'scope': {'project': project}}}
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method='POST', headers={'Content-Type': 'application/json'})
        response, answer = self.send(request, f'Keystone at {url}')
        token = response.headers['X-Subject-Token']
        region = os.environ.get('OS_REGION_NAME')
        interface = os.environ.get('OS_INTERFACE', 'public')
        for service in json.loads(answer)['token'].get('catalog', []):
            if service.get('type') != 'object-store':
                continue
            for endpoint in service.get('endpoints', []):
                if endpoint.get('interface') == interface and (not region or region in (endpoint.get('region_id'), endpoint.get('region'))):
                    return endpoint['url'].rstrip('/'), token
        fail(f'no object-store endpoint ({interface}{", region " + region if region else ""}) in the catalog of {url}')

    def send(self, request, what):
        """The response (headers) and its body. No answer or a server error is retried (bounded:
        10 × 1 s; a service still starting gives 503), a refusal is not."""
        for attempt in range(10):
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response, response.read()
            except urllib.error.HTTPError as error:
                # The answer's body is not shown: it may echo what was sent.
                if error.code in (401, 403):
                    fail(f'{what} refused the credentials (HTTP {error.code}); check OS_* / SWIFT_* of this worker')
                if error.code in (400, 404):
                    fail(f'{what} answered HTTP {error.code}: check OS_AUTH_URL / SWIFT_AUTH_URL of this worker')
                if attempt == 9:
                    fail(f'{what} answered HTTP {error.code}')
                time.sleep(1)
            except (urllib.error.URLError, ConnectionError) as error:
                if attempt == 9:
                    fail(f'cannot reach {what}: {error}')
                time.sleep(1)

    def object_url(self, key):
        return f'{self.url}/{self.container}/{urllib.parse.quote(key)}'

    def download(self, key, dest):
        request = urllib.request.Request(self.object_url(key), headers={'X-Auth-Token': self.token})
        try:
            with urllib.request.urlopen(request, timeout=60) as response, open(dest, 'wb') as out:
                shutil.copyfileobj(response, out, 1 << 20)
        except urllib.error.HTTPError as error:
            fail(f'GET {self.container}/{key}: HTTP {error.code}')

    def get(self, name, scratch):
        dest = os.path.join(scratch, name)
        self.download(f'{self.run}/{name}', dest)
        return dest

    def get_shared(self, name, dest):
        self.download(name, dest)


def storage(run):
    kind = env('RESOPS_STORAGE', 'volume')
    if kind == 'volume':
        return VolumeStorage(run)
    if kind == 'object':
        return SwiftStorage(run)
    fail(f'RESOPS_STORAGE={kind}: expected volume or object')


def reference(store):
    """The indexed reference: baked into the image, or fetched from storage once per container."""
    baked = os.environ.get('RESOPS_REFERENCE')
    if baked and os.path.exists(baked + '.bwt'):
        return baked
    os.makedirs(REF_CACHE, exist_ok=True)
    path = os.path.join(REF_CACHE, 'lambda_virus.fa')
    with open(os.path.join(REF_CACHE, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(path + '.done'):
            store.get_shared(REFERENCE_OBJECT, path)
            run(['bwa', 'index', path])
            run(['samtools', 'faidx', path])
            open(path + '.done', 'w').close()
    return path


def run(cmd):
    result = subprocess.run(cmd, stderr=subprocess.PIPE)
    if result.returncode != 0:
        sys.stderr.write(result.stderr.decode(errors='replace')[-2000:])
        fail(f'{cmd[0]} exited with {result.returncode}')


def emit(stage, started, **values):
    # CPU time of the tools (children) next to wall time: on a busy machine wall time measures the
    # neighbours too, CPU time only this stage's work.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = children.ru_utime + children.ru_stime
    print(json.dumps({'stage': stage, 'seconds': round(time.time() - started, 3), 'cpuSeconds': round(cpu, 3), **values}))


def cmd_ready(args, store, scratch):
    """Resolves the reference (instant when baked in; fetch + index once for the cloud-native image)."""
    started = time.time()
    path = reference(store)
    emit('ready', started, reference=path, bytes=os.path.getsize(path))


def cmd_cat(args, store, scratch):
    with open(store.get(args['name'], scratch), 'rb') as handle:
        shutil.copyfileobj(handle, sys.stdout.buffer)


COMMANDS = {'ready': cmd_ready, 'cat': cmd_cat}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        fail(f'usage: resops-pipeline {{{",".join(COMMANDS)}}} [key=value ...]')
    args = dict(item.split('=', 1) for item in argv[2:])
    store = storage(env('RESOPS_RUN'))
    scratch = tempfile.mkdtemp(prefix='resops-')
    try:
        COMMANDS[argv[1]](args, store, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv)
