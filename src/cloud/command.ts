import { parseArgs } from 'node:util';
import { loadCourse } from '../course/load.js';
import { CourseError } from '../course/model.js';
import { rehearsalCloudDir } from '../openstack/cloud-config.js';
import { OpenStackClient } from '../openstack/client.js';
import { LOCAL_CLOUD, cloudsYamlPath, storedPassword } from './clouds-yaml.js';
import { cloudLoopDevices } from './loop-devices.js';
import {
  CLOUD_CONTAINER,
  CLOUD_IMAGE,
  CLOUD_PORTS,
  CloudContainerError,
  cloudNetworks,
  cloudPasswordsState,
  containerMemory,
  containerState,
  docker,
  imageState,
  requireDocker,
  serverContainers,
  SERVERS_MODES,
  type CloudService,
  type PasswordsState,
  type ServersMode,
} from './container.js';
import { adminConfig, cloudDown, cloudUp } from './lifecycle.js';
import { probeApis, serviceStates, type ServiceState } from './ready.js';
import { addCourse, defaultSeed } from './seed.js';
import { CLOUD_OPTIONS } from './cloud-options.js';
import { cloudHostRoutes } from './route-check.js';

/**
 * `resops cloud up|status|down`: the instructor's rehearsal cloud, a real OpenStack (Debian 12
 * packages, fake hypervisor and volume drivers) in one container on this machine.
 */

const USAGE = `usage: resops cloud up [--servers containers|fake] [--course FILE]... [--project NAME]... [--rebuild] [--json]
       resops cloud status [--json]
       resops cloud down [--purge] [--json]

  up       build the image on first use (about 10 min), start the cloud, wait until every API
           answers and the compute and volume services are up, seed flavors, images and the
           external network (those named by each --course too), and write clouds.yaml
           (cloud "${LOCAL_CLOUD}"; "${LOCAL_CLOUD}-<id>" per course project) in the state directory
  status   container, APIs, services and memory of the cloud, and its servers' containers
  down     stop the cloud and its servers (their data stays); --purge removes the container and
           its data, and every server container and Docker network of the cloud

  --servers MODE  containers: every server is a container on this machine's Docker that boots
                  (systemd, cloud-init), networked by Neutron's agents (floating IPs reachable
                  from this machine); the cloud gets the Docker socket, the host's PID namespace
                  and network capabilities. fake: Nova's fake driver, nothing boots (default;
                  also for machines where containers cannot be made). Chosen when the cloud's
                  container is created: to change, --purge first
  --course FILE   seed what this course names, and create its project and instructor user
  --project NAME  create a project NAME with a NAME-instructor user
  --rebuild       rebuild the image even if it is current
  --state-dir DIR where clouds.yaml goes (default $RESOPS_CLOUD_DIR or ~/.local/state/resops/cloud)
  --timeout SEC   bound on start-to-ready (default 900)
  --json          machine-readable output on stdout (progress goes to stderr)`;


export async function runCloudCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: CLOUD_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`resops cloud: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const sub = positionals[0];
  if (positionals.length !== 1 || !['up', 'status', 'down'].includes(sub)) {
    process.stderr.write(`resops cloud: ${positionals.length === 0 ? 'say up, status or down' : `unknown subcommand "${positionals.join(' ')}"`}\n${USAGE}\n`);
    return 2;
  }
  const json = values.json === true;
  // With --json, stdout carries only the JSON document; progress goes to stderr either way.
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const stateDir = values['state-dir'] ?? rehearsalCloudDir();
  const name = values.name ?? CLOUD_CONTAINER;
  const timeoutSec = values.timeout === undefined ? 900 : Number(values.timeout);
  if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) {
    process.stderr.write(`resops cloud: --timeout must be a number of seconds, got "${values.timeout}"\n`);
    return 2;
  }

  const servers = values.servers;
  if (servers !== undefined && !(SERVERS_MODES as readonly string[]).includes(servers)) {
    process.stderr.write(`resops cloud: --servers must be ${SERVERS_MODES.join(' or ')}, got "${servers}"\n`);
    return 2;
  }

  try {
    if (sub === 'up') {
      let seed = defaultSeed();
      for (const file of values.course ?? []) seed = addCourse(seed, loadCourse(file, { target: 'openstack' }));
      for (const project of values.project ?? []) {
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(project)) {
          process.stderr.write(`resops cloud: --project "${project}": use lower-case letters, digits and hyphens\n`);
          return 2;
        }
        if (!seed.projects.includes(project)) seed.projects.push(project);
      }
      const result = await cloudUp({
        stateDir,
        name,
        rebuild: values.rebuild === true,
        seed,
        timeoutMs: timeoutSec * 1000,
        progress,
        ...(servers ? { servers: servers as ServersMode } : {}),
      });
      if (json) {
        out(JSON.stringify({
          container: result.container,
          start: result.start,
          buildSeconds: result.buildMs === undefined ? null : Math.round(result.buildMs / 1000),
          apisSeconds: Math.round(result.apisMs / 1000),
          readySeconds: Math.round(result.readyMs / 1000),
          schedulingProbes: result.probeAttempts,
          cloudsYaml: result.cloudsYaml,
          clouds: result.clouds,
          created: result.seed.created,
          outdated: result.outdated,
          servers: result.servers,
        }, null, 2));
        return 0;
      }
      out(`Rehearsal cloud ready: ${Object.keys(CLOUD_PORTS).length} APIs answer on 127.0.0.1, a volume and a server were scheduled ` +
        `(${Math.round(result.readyMs / 1000)} s after ${result.start === 'running' ? 'the check began' : 'start'}).`);
      out(`clouds.yaml: ${result.cloudsYaml} (clouds: ${result.clouds.join(', ')})`);
      out(result.servers === 'containers'
        ? 'Servers are containers on this machine\'s Docker that boot their image with cloud-init (`resops cloud status` lists them).'
        : 'Servers are fake: they go ACTIVE but nothing boots (`--servers containers` on a new cloud makes them run).');
      out('');
      out('Point a course at it (Terraform downloads the OpenStack provider, or `resops provider mirror` and');
      out('RESOPS_PROVIDER_MIRROR give it one without the Terraform registry):');
      out(`  export OS_CLIENT_CONFIG_FILE=${result.cloudsYaml}`);
      out(`  OS_CLOUD=${LOCAL_CLOUD} resops preflight examples/course.yaml --target openstack`);
      out(`  OS_CLOUD=${LOCAL_CLOUD} resops up examples/course.yaml --target openstack`);
      out('Stop it with `resops cloud down` (data kept) or `resops cloud down --purge`.');
      return 0;
    }

    if (sub === 'down') {
      const result = await cloudDown({ stateDir, name, purge: values.purge === true, progress });
      if (json) {
        out(JSON.stringify({
          container: name,
          stopped: result.stopped,
          removed: result.removed,
          stopSeconds: result.stopMs / 1000,
          serversStopped: result.serversStopped,
          loopDevicesReleased: result.loopDevicesReleased,
          removedServers: result.leftovers?.containers ?? [],
          removedNetworks: result.leftovers?.networks ?? [],
        }, null, 2));
      } else if (!result.stopped && !result.removed && result.serversStopped.length === 0 && !result.leftovers?.containers.length && !result.leftovers?.networks.length) {
        out(`${name} is not running${values.purge ? ' and does not exist' : ''}; nothing to do`);
      } else {
        out(`${name} ${result.removed ? 'removed with its data' : 'stopped (data kept; `resops cloud up` resumes it)'}`);
      }
      return 0;
    }

    return await status(name, stateDir, json, out);
  } catch (error) {
    if (error instanceof CourseError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof CloudContainerError) {
      process.stderr.write(`resops cloud ${sub}: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ''}`);
      return 1;
    }
    process.stderr.write(`resops cloud ${sub}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function status(name: string, stateDir: string, json: boolean, out: (line?: string) => void): Promise<number> {
  const client = docker();
  await requireDocker(client);
  const [container, image, servers, networks, hostRoutes] = await Promise.all([
    containerState(client, name), imageState(client), serverContainers(client, name), cloudNetworks(client, name), cloudHostRoutes(client, name),
  ]);
  const loopDevices = cloudLoopDevices(name);
  let apis: Record<CloudService, boolean> | undefined;
  let services: ServiceState[] | undefined;
  let memoryBytes: number | undefined;
  let servicesError: string | undefined;
  let passwords: PasswordsState | undefined;
  if (container.running) {
    passwords = await cloudPasswordsState(client, name);
    apis = await probeApis();
    memoryBytes = await containerMemory(client, name);
    const password = storedPassword(stateDir, LOCAL_CLOUD);
    if (password && Object.values(apis).every(Boolean)) {
      try {
        services = await serviceStates(await OpenStackClient.connect(adminConfig(password, cloudsYamlPath(stateDir))));
      } catch (error) {
        servicesError = (error as Error).message;
      }
    }
  }
  const ready = Boolean(apis && Object.values(apis).every(Boolean) && services && services.every((s) => s.up));
  if (json) {
    out(JSON.stringify({
      container: { name, ...container },
      image: { name: CLOUD_IMAGE, ...image },
      apis: apis ?? null,
      services: services ?? null,
      servicesError: servicesError ?? null,
      passwords: passwords === undefined ? null : typeof passwords === 'string' ? passwords : { generatedAt: passwords.generatedAt, serviceUsers: passwords.serviceUsers },
      memoryBytes: memoryBytes ?? null,
      serverContainers: servers,
      networks,
      hostRoutes,
      loopDevices,
      cloudsYaml: cloudsYamlPath(stateDir),
      ready,
    }, null, 2));
    return 0;
  }
  out(`image      ${CLOUD_IMAGE}: ${image.present ? `${image.current ? 'current' : 'older than containers/openstack (`resops cloud up --rebuild`)'}, ${Math.round((image.sizeBytes ?? 0) / 1e6)} MB` : 'not built yet (`resops cloud up` builds it)'}`);
  out(`container  ${name}: ${container.running ? `running since ${container.startedAt}` : container.exists ? 'stopped (`resops cloud up` resumes it)' : 'absent'}`);
  if (apis) {
    out(`APIs       ${(Object.keys(apis) as CloudService[]).map((s) => `${s}:${CLOUD_PORTS[s]} ${apis[s] ? 'up' : 'DOWN'}`).join(', ')}`);
  }
  if (services) out(`services   ${services.map((s) => `${s.binary} ${s.up ? 'up' : 'DOWN'}`).join(', ')}`);
  if (servicesError) out(`services   not checked: ${servicesError}`);
  if (passwords !== undefined) {
    out(`passwords  ${typeof passwords !== 'string'
      ? `generated on first start (${passwords.generatedAt}): admin and the service users ${passwords.serviceUsers.join(', ')}; none is the image's`
      : passwords === 'not-generated'
        ? 'the image\'s own: this container predates generated passwords (`resops cloud down --purge` then `up` makes a new one)'
        : 'could not be read from the container'}`);
  }
  if (memoryBytes !== undefined) out(`memory     ${(memoryBytes / 2 ** 30).toFixed(2)} GiB`);
  if (container.exists) out(`servers    ${container.servers === 'containers' ? `containers on this machine's Docker: ${servers.length}` : 'fake (nothing boots)'}`);
  // Listed even for a fake or absent cloud: whatever is labelled as this cloud's is on the host.
  for (const s of servers) out(`  ${s.name}  ${s.state} (${s.status})  server ${s.serverName || '?'}`);
  if (networks.length > 0) out(`networks   ${networks.join(', ')} (Docker)`);
  for (const r of hostRoutes) out(`  host route ${r.destination} via ${r.bridge} (${r.network}): floating IPs go into the cloud`);
  if (loopDevices.length > 0) out(`volumes    ${loopDevices.length} attached as the host's loop devices: ${loopDevices.map((d) => `${d.device} (volume ${d.volume})`).join(', ')}`);
  out(`clouds     ${cloudsYamlPath(stateDir)}${storedPassword(stateDir, LOCAL_CLOUD) ? ` (cloud ${LOCAL_CLOUD})` : ' (none yet)'}`);
  out(`ready      ${ready ? 'yes' : 'no'}`);
  return 0;
}
