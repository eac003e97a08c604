#!/usr/bin/python3
"""The stages of the resops variant-calling pipeline, one subcommand each.

The driver (src/pipeline/) runs each stage with `docker exec` in a worker container. A stage
reads its inputs from the run's storage, writes its outputs there, and prints one JSON line on
stdout (reads, bytes, seconds per step) that the driver records and pushes as metrics.

Storage (RESOPS_STORAGE):
  volume  a shared POSIX directory RESOPS_DATA (default /data) mounted in every worker: the run's
          files are RESOPS_DATA/<run>/<name>. Outputs are written under a temporary name and
          renamed, so a worker killed mid-stage leaves no file under the final name.
  object  OpenStack Swift: objects <run>/<name> in SWIFT_CONTAINER. Keystone v3 with the usual OS_*
          variables when OS_AUTH_URL is set (OpenStack), else tempauth (SWIFT_AUTH_URL, SWIFT_USER,
          SWIFT_KEY: the local target). A PUT is atomic: a killed upload leaves no object. Inputs
          are downloaded to a scratch dir.

Deterministic: fixed seeds, one thread per tool, `--no-PG` / `--no-version` so that neither paths,
versions nor command lines reach the outputs; the same reads give the same VCF on any worker.
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

    def put(self, local, name):
        final = os.path.join(self.root, name)
        tmp = f'{final}.tmp-{os.uname().nodename}-{os.getpid()}'
        shutil.copyfile(local, tmp)
        os.rename(tmp, final)
        return os.path.getsize(final)


class SwiftStorage:
    """Swift's HTTP API with the standard library only (no swiftclient start-up cost)."""

    def __init__(self, run):
        # Imported here: urllib.request pulls in http, ssl and email (≈0.1 s), paid by every stage
        # of a volume run otherwise, and a stage is a process.
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

    def put(self, local, name):
        size = os.path.getsize(local)
        with open(local, 'rb') as body:
            request = urllib.request.Request(
                self.object_url(f'{self.run}/{name}'), data=body, method='PUT',
                headers={'X-Auth-Token': self.token, 'Content-Length': str(size)})
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    response.read()
            except urllib.error.HTTPError as error:
                fail(f'PUT {self.container}/{self.run}/{name}: HTTP {error.code}')
        return size


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


def run(cmd, stdout=None, cwd=None):
    result = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    if result.returncode != 0:
        sys.stderr.write(result.stderr.decode(errors='replace')[-2000:])
        fail(f'{cmd[0]} exited with {result.returncode}')


def pipe(first, second, cwd=None):
    """first | second, failing if either fails (no shell)."""
    producer = subprocess.Popen(first, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    consumer = subprocess.run(second, stdin=producer.stdout, stderr=subprocess.PIPE, cwd=cwd)
    producer.stdout.close()
    producer_err = producer.stderr.read()
    producer.wait()
    for cmd, code, err in ((first, producer.returncode, producer_err), (second, consumer.returncode, consumer.stderr)):
        if code != 0:
            sys.stderr.write(err.decode(errors='replace')[-2000:])
            fail(f'{cmd[0]} exited with {code}')


def emit(stage, started, **values):
    # CPU time of the tools (children) next to wall time: on a busy machine wall time measures the
    # neighbours too, CPU time only this stage's work.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = children.ru_utime + children.ru_stime
    print(json.dumps({'stage': stage, 'seconds': round(time.time() - started, 3), 'cpuSeconds': round(cpu, 3), **values}))


# BAMs between stages are compressed fast (level 1, ≈10% larger than the default 6): the serial
# merge spent most of its time compressing, 1.5 s vs 0.4 s for 100,000 pairs, and the calls
# read back from it are the same records.
INTERMEDIATE_BAM_LEVEL = '1'

DWGSIM = ['-H', '-R', '0', '-y', '0', '-1', '100', '-2', '100', '-e', '0.005', '-E', '0.005']


def cmd_simulate(args, store, scratch):
    """The truth: SNPs only (-R 0), haploid, no random reads. The reads come per shard (cmd_shard)."""
    started = time.time()
    ref = reference(store)
    prefix = os.path.join(scratch, 'truth')
    run(['dwgsim', '-M', *DWGSIM, '-r', args.get('rate', '0.001'), '-z', str(int(args['seed'])), '-N', '1', ref, prefix],
        stdout=subprocess.DEVNULL)
    size = store.put(f'{prefix}.mutations.txt', 'mutations.txt') + store.put(f'{prefix}.mutations.vcf', 'truth.vcf')
    emit('simulate', started, bytes=size, variants=len(snps(f'{prefix}.mutations.vcf')))


def shard_pairs(reads, shards, shard):
    """Read pairs of one shard: the total cut into `shards` near-equal parts."""
    return reads * (shard + 1) // shards - reads * shard // shards


def cmd_shard(args, store, scratch):
    """One shard: its reads simulated from the shared mutations (own seed), QC, alignment, sort."""
    started = time.time()
    shard, shards, reads, seed = int(args['index']), int(args['shards']), int(args['reads']), int(args['seed'])
    name = f'shard-{shard:03d}'
    ref = reference(store)
    mutations = store.get('mutations.txt', scratch)
    prefix = os.path.join(scratch, name)
    sim_started = time.time()
    # Names prefixed with the shard: read names stay unique across shards (mpileup pairs mates by name).
    run(['dwgsim', '-m', mutations, *DWGSIM, '-z', str(seed * 1000 + shard + 1), '-N', str(shard_pairs(reads, shards, shard)),
         '-P', f'{name}_', '-o', '1', ref, prefix], stdout=subprocess.DEVNULL)
    sim_seconds = time.time() - sim_started
    r1, r2 = (f'{prefix}.bwa.read{end}.fastq.gz' for end in ('1', '2'))
    t1, t2 = (os.path.join(scratch, f'{name}.trim.R{end}.fastq') for end in ('1', '2'))
    qc_json = os.path.join(scratch, f'{name}.fastp.json')
    qc_started = time.time()
    run(['fastp', '-w', '1', '-i', r1, '-I', r2, '-o', t1, '-O', t2, '-j', qc_json, '-h', '/dev/null', '--dont_eval_duplication'])
    qc_seconds = time.time() - qc_started
    with open(qc_json) as handle:
        qc = json.load(handle)
    align_started = time.time()
    bam = os.path.join(scratch, f'{name}.bam')
    # -t 1 and a fixed -K: bwa's insert-size batches do not depend on the thread count. Relative
    # names in the scratch dir: bwa's @PG header line holds its command line, and the BAM should
    # not depend on where the scratch dir happened to be. bwa writes a file that sort then reads,
    # not a pipe: a worker has one core, and two processes taking turns on it through a pipe
    # cost ≈20% more once the other cores are busy too (measured: a shard's align step 1.8 s vs 1.4 s).
    sam = f'{name}.sam'
    with open(os.path.join(scratch, sam), 'wb') as out:
        run(['bwa', 'mem', '-t', '1', '-K', '10000000', '-R', '@RG\\tID:resops\\tSM:sample', ref,
             os.path.basename(t1), os.path.basename(t2)], stdout=out, cwd=scratch)
    run(['samtools', 'sort', '--no-PG', '-@', '0', '-l', INTERMEDIATE_BAM_LEVEL, '-T', f'{name}.sort', '-o', os.path.basename(bam), sam], cwd=scratch)
    align_seconds = time.time() - align_started
    size = store.put(bam, f'{name}.bam')
    emit('shard', started, shard=shard, reads=qc['summary']['before_filtering']['total_reads'],
         readsPassed=qc['summary']['after_filtering']['total_reads'], bytes=size, simulateSeconds=round(sim_seconds, 3),
         qcSeconds=round(qc_seconds, 3), alignSeconds=round(align_seconds, 3))


def cmd_merge(args, store, scratch):
    started = time.time()
    shards = int(args['shards'])
    inputs = [store.get(f'shard-{shard:03d}.bam', scratch) for shard in range(shards)]
    merged = os.path.join(scratch, 'merged.bam')
    run(['samtools', 'merge', '--no-PG', '-l', INTERMEDIATE_BAM_LEVEL, '-f', '-o', merged, *inputs])
    run(['samtools', 'index', merged])
    size = store.put(merged, 'merged.bam') + store.put(merged + '.bai', 'merged.bam.bai')
    # Mapped records per contig, read from the index just made instead of a pass over the BAM.
    stats = subprocess.run(['samtools', 'idxstats', merged], capture_output=True, text=True)
    mapped = sum(int(line.split('\t')[2]) for line in stats.stdout.splitlines() if line.count('\t') >= 3)
    emit('merge', started, reads=mapped, bytes=size)


def regions(fai, parts, part):
    """Part `part` of the genome cut into `parts` equal spans, as bcftools regions (1-based)."""
    contigs = []
    with open(fai) as handle:
        for line in handle:
            name, length = line.split('\t')[:2]
            contigs.append((name, int(length)))
    total = sum(length for _, length in contigs)
    first, last = total * part // parts, total * (part + 1) // parts  # [first, last) over the concatenation
    found, offset = [], 0
    for name, length in contigs:
        lo, hi = max(first, offset), min(last, offset + length)
        if lo < hi:
            found.append(f'{name}:{lo - offset + 1}-{hi - offset}')
        offset += length
    return found


def cmd_call(args, store, scratch):
    """Calling for one region of the genome (scatter): sites are independent, so the regions'
    VCFs concatenated equal one call over the whole genome."""
    started = time.time()
    part, parts = int(args['index']), int(args['regions'])
    ref = reference(store)
    bam = store.get('merged.bam', scratch)
    bai = store.get('merged.bam.bai', scratch)
    if os.path.dirname(bai) != os.path.dirname(bam):
        fail('merged.bam and its index must be side by side')
    vcf = os.path.join(scratch, f'calls-{part:03d}.vcf')
    wanted = regions(ref + '.fai', parts, part)
    if not wanted:
        fail(f'region {part} of {parts} is empty')
    pipe(['bcftools', 'mpileup', '--no-version', '-Ou', '-f', ref, '-a', 'AD,DP', '-d', '10000', '-r', ','.join(wanted), bam],
         ['bcftools', 'call', '--no-version', '-mv', '--ploidy', '1', '-Ov', '-o', vcf])
    size = store.put(vcf, f'calls-{part:03d}.vcf')
    emit('call', started, region=part, variants=len(snps(vcf)), bytes=size)


def cmd_gather(args, store, scratch):
    started = time.time()
    parts = int(args['regions'])
    inputs = [store.get(f'calls-{part:03d}.vcf', scratch) for part in range(parts)]
    vcf = os.path.join(scratch, 'calls.vcf')
    run(['bcftools', 'concat', '--no-version', '-Ov', '-o', vcf, *inputs])
    size = store.put(vcf, 'calls.vcf')
    emit('gather', started, variants=len(snps(vcf)), bytes=size)


def snps(path):
    found = set()
    with open(path) as handle:
        for line in handle:
            if line.startswith('#'):
                continue
            chrom, pos, _id, ref, alt = line.rstrip('\r\n').split('\t')[:5]
            for allele in alt.split(','):
                if len(ref) == 1 and len(allele) == 1:
                    found.add((chrom, int(pos), ref, allele))
    return found


def cmd_evaluate(args, store, scratch):
    started = time.time()
    truth = snps(store.get('truth.vcf', scratch))
    called = snps(store.get('calls.vcf', scratch))
    tp = len(truth & called)
    precision = tp / len(called) if called else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    result = {'truth': len(truth), 'called': len(called), 'truePositives': tp, 'falsePositives': len(called) - tp,
              'falseNegatives': len(truth) - tp, 'precision': round(precision, 4), 'recall': round(recall, 4), 'f1': round(f1, 4)}
    local = os.path.join(scratch, 'evaluation.json')
    with open(local, 'w') as out:
        json.dump(result, out)
    size = store.put(local, 'evaluation.json')
    emit('evaluate', started, bytes=size, **result)


def cmd_ready(args, store, scratch):
    """Resolves the reference (instant when baked in; fetch + index once for the cloud-native image)."""
    started = time.time()
    path = reference(store)
    emit('ready', started, reference=path, bytes=os.path.getsize(path))


def cmd_cat(args, store, scratch):
    with open(store.get(args['name'], scratch), 'rb') as handle:
        shutil.copyfileobj(handle, sys.stdout.buffer)


COMMANDS = {'simulate': cmd_simulate, 'shard': cmd_shard, 'merge': cmd_merge, 'call': cmd_call, 'gather': cmd_gather,
            'evaluate': cmd_evaluate, 'ready': cmd_ready, 'cat': cmd_cat}


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
