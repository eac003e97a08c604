/**
 * The helper library every exercise script gets as `lab`: the learner's environment seen through
 * the same questions on both targets (is my VM running, run this on it, ask Prometheus, ask
 * Gnocchi, read my workspace, read my pipeline runs). Scripts never call Docker or OpenStack
 * themselves. What differs between the targets is in one adapter per target (lab-target-*.ts);
 * files the lab reads are in lab-files.ts, and how it runs commands in lab-process.ts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { basicAuthorization, gnocchiLearner, netrcEntry } from '../access/gnocchi-users.js';
import type { Course, Learner } from '../course/model.js';
import { learnerVmName, resourceName } from '../course/naming.js';
import { fetchWithin } from '../net/deadline.js';
import { effectiveCloudName } from '../openstack/cloud-config.js';
import type { PipelineResult } from '../pipeline/run.js';
import type { ScaleResult } from '../pipeline/scale.js';
import { pipelineRunsIn, scaleResultIn, synthesizedStacks } from './lab-files.js';
import type { AppliedStack } from './lab-stack.js';
import { lastLine, run } from './lab-process.js';
import { changedHostKeyMessage, hostKeyRefused, knownHostsEntry } from './ssh-host-key.js';
import { labTarget, type LabTarget, type MonitoringUrls } from './lab-target.js';
import { resopsCommand } from './resops-command.js';

/** Thrown by a check to say what is missing; the message is what the learner reads. */
export class StepIncomplete extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepIncomplete';
  }
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface VmState {
  name: string;
  /** The machine exists and runs (container running / server ACTIVE). */
  running: boolean;
  /** Docker state or Nova status, for messages. */
  state: string;
  exists: boolean;
  /** When the machine was (re)created; undefined when unknown. */
  createdAt?: Date;
  /** When it was last started (local only). */
  startedAt?: Date;
  /**
   * Made by the toolkit from the course (labelled with it), not by hand: a container someone ran
   * with the VM's name is not the VM the course describes.
   */
  managed: boolean;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
}

export type PipelineRunSummary = Omit<PipelineResult, 'vcf'> & { reportFile: string; startedAt: Date; finishedAt: Date };

export interface LabOptions {
  course: Course;
  learner: Learner;
  /** The learner's working directory for this course (files they write, answers). */
  workspace: string;
  /** Private key the learner logs in with (default: ssh's own choice: agent, ~/.ssh/id_*). */
  sshKey?: string;
  /** When the current step was started: "since you started this step" checks compare with it. */
  stepStartedAt: Date;
  /** The step's folder, where its templates live. */
  stepDir: string;
  /** Progress lines of long work (solves, setups): on stderr in the CLI. */
  log: (line: string) => void;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where a learner's Gnocchi login is, in their workspace. */
const MONITORING_NETRC = '.monitoring.netrc';
const REQUEST_TIMEOUT_MS = 10_000;

export class Lab {
  readonly course: Course;
  readonly learner: Learner;
  readonly workspace: string;
  readonly stepStartedAt: Date;
  readonly stepDir: string;
  readonly log: (line: string) => void;
  private readonly sshKey: string | undefined;
  /** What differs between the targets: the learner's machines, SSH, monitoring URLs, leftovers. */
  private readonly machines: LabTarget;

  constructor(options: LabOptions) {
    this.course = options.course;
    this.learner = options.learner;
    this.workspace = options.workspace;
    this.stepStartedAt = options.stepStartedAt;
    this.stepDir = options.stepDir;
    this.log = options.log;
    this.sshKey = options.sshKey;
    this.machines = labTarget(options.course, options.learner);
  }

  get target(): Course['target'] {
    return this.course.target;
  }

  /** The course file, absolute: what commands shown to the learner and run by solves name. */
  get courseFile(): string {
    return resolve(this.course.file);
  }

  /** The cloud the course's openstack target uses: OS_CLOUD when set, as Terraform's provider does. */
  get cloudName(): string {
    return effectiveCloudName(this.course.cloud.name);
  }

  get stateDir(): string {
    return resolve(this.course.dir, this.course.stateDir);
  }

  /** Ends the check: `message` says exactly what is missing. */
  missing(message: string): never {
    throw new StepIncomplete(message);
  }

  vmName(vm = 1): string {
    return learnerVmName(this.course, this.learner, vm);
  }

  /** A name in the course's namespace, e.g. `name('alice', 'web')` → `resops-demo-alice-web`. */
  name(...parts: string[]): string {
    return resourceName(this.course, ...parts);
  }

  /** Absolute path inside the workspace (created on demand by writers, not here). */
  path(...parts: string[]): string {
    return join(this.workspace, ...parts);
  }

  /** A workspace path as the learner would type it relative to the course directory. */
  shown(path: string): string {
    const rel = relative(process.cwd(), path);
    return rel.startsWith('..') ? path : rel || '.';
  }

  /** What `{{name}}` in a step's text stands for. */
  vars(): Record<string, string> {
    const { ssh, forget } = this.machines.sshCommands(this.sshKey);
    // Paths are absolute: a text's commands run from wherever the learner stands (after a `cd`).
    return {
      learner: this.learner.id,
      learner_name: this.learner.name,
      course: this.course.id,
      course_cidr: this.course.network.cidr,
      image_user: this.course.cloud.imageUser,
      external_network: this.course.cloud.externalNetwork,
      course_file: this.courseFile,
      target: this.target,
      vm1: this.vmName(1),
      workspace: this.workspace,
      ssh,
      ssh_forget: forget,
      prometheus: this.urls().prometheus,
      gnocchi: this.urls().gnocchi,
      monitoring_netrc: this.path(MONITORING_NETRC),
      pushgateway: this.urls().pushgateway,
      state_dir: this.stateDir,
      project: PROJECT_ROOT.replace(/\/$/, ''),
      resops: resopsCommand(),
      scale_workers: this.scaleCounts(),
    };
  }

  /**
   * Worker counts for a scaling experiment, as `--workers` takes them: the local target makes
   * the containers a count needs; on openstack a count is the first N of the course's worker VMs.
   */
  scaleCounts(): string {
    const counts = this.target === 'local' ? [1, 2, 4] : [1, 2, 4].filter((n) => n <= Math.max(1, this.course.pipeline.workers));
    return counts.join(',');
  }

  // ---- the learner's machines -------------------------------------------------------------

  async vm(vm = 1): Promise<VmState> {
    return this.machines.vm(this.vmName(vm));
  }

  /** The machine must be running, else the check ends saying so. */
  async requireVm(vm = 1): Promise<VmState> {
    const state = await this.vm(vm);
    const up = `\`${this.command('up {course} --learner {learner}')}\``;
    if (!state.exists) this.missing(`no VM named ${state.name} exists: bring your lab up with ${up}`);
    if (!state.managed) this.missing(`${state.name} was not made from the course (it carries no labels of course ${this.course.id} and learner ${this.learner.id}): a machine made by hand is not your lab; remove it and run ${up}`);
    if (!state.running) this.missing(`${state.name} exists but is not running (${state.state}): start it with ${up}`);
    return state;
  }

  /**
   * A resops command line as the learner can type it (see resopsCommand), `{course}` standing for
   * the course file: what every check message that tells the learner what to run is made of.
   */
  command(args: string): string {
    return `${resopsCommand()} ${args.replaceAll('{course}', this.shown(this.courseFile)).replaceAll('{learner}', this.learner.id)}`;
  }

  private async sshTarget(vm: number): Promise<{ host: string; port: number }> {
    const endpoint = await this.machines.sshEndpoint(this.vmName(vm), vm);
    if ('problem' in endpoint) return this.missing(endpoint.problem);
    return endpoint;
  }

  /** Runs `command` on the learner's VM over SSH, as the learner (bounded by `timeoutMs`). */
  async ssh(command: string, options: { vm?: number; timeoutMs?: number } = {}): Promise<CommandResult> {
    const endpoint = await this.sshTarget(options.vm ?? 1);
    const guarded = await this.machines.guard(endpoint.host);
    if (guarded.problem) this.missing(guarded.problem);
    return this.sshRun(endpoint, this.learner.id, command, options.timeoutMs ?? 30_000, this.vmName(options.vm ?? 1));
  }

  private async sshRun(endpoint: { host: string; port: number }, user: string, command: string, timeoutMs: number, shown: string, alias?: string): Promise<CommandResult> {
    const knownHosts = this.knownHostsFile;
    mkdirSync(dirname(knownHosts), { recursive: true });
    const args = [
      ...(alias ? ['-o', `HostKeyAlias=${alias}`] : []),
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=10',
      ...this.machines.hostKeyOptions(knownHosts),
      '-o', 'LogLevel=ERROR',
      ...(this.sshKey ? ['-o', 'IdentitiesOnly=yes', '-i', this.sshKey] : []),
      '-p', String(endpoint.port), `${user}@${endpoint.host}`, command,
    ];
    const result = await run('ssh', args, { timeoutMs });
    if (result.code === 255 && hostKeyRefused(result.stderr)) {
      this.missing(changedHostKeyMessage(shown, endpoint.host, knownHosts, knownHostsEntry(endpoint.host, endpoint.port, alias)));
    }
    if (result.code === 255) {
      this.missing(`cannot SSH to ${shown} as ${user} (${lastLine(result.stderr) || 'ssh failed'})${this.sshKey ? `, with the key ${this.sshKey}` : `: checks log in as you, so give your private key once: \`${this.command('exercise check --key <your private key>')}\` (it is remembered for every later step)`}`);
    }
    return result;
  }

  // ---- monitoring -------------------------------------------------------------------------

  urls(): MonitoringUrls {
    return this.machines.urls();
  }

  /** `request` made, its JSON (or text) read; a service that does not answer ends the check saying so. */
  private async answer(what: string, origin: string, request: () => Promise<Response>): Promise<{ status: number; body: unknown }> {
    // A cloud's monitoring host is contacted only along a route into that cloud, as SSH is.
    const host = /^https?:\/\/([^/:]+)/.exec(origin)?.[1];
    if (!host || host.startsWith('<')) this.missing(`${what}: no address for the course's monitoring host (${origin}); the instructor gives it as RESOPS_MONITORING_HOST`);
    const guarded = await this.machines.guard(host);
    if (guarded.problem) this.missing(`${what} at ${origin}: ${guarded.problem}`);
    let response: Response;
    try {
      response = await request();
    } catch (error) {
      this.missing(`${what} at ${origin} does not answer (${(error as Error).message}): is the lab up? (\`${this.command('status {course}')}\`)`);
    }
    const text = await response.text();
    try {
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      return { status: response.status, body: text };
    }
  }

  /**
   * A Prometheus request as the learner (their monitoring login, the one Gnocchi takes): a check
   * sees what the learner could see. A refused login ends the check saying so.
   */
  private async prometheus(path: string): Promise<unknown> {
    const base = this.urls().prometheus;
    const login = gnocchiLearner(this.course, this.learner.id);
    const { status, body } = await this.answer('Prometheus', base, () => fetchWithin(REQUEST_TIMEOUT_MS, `${base}${path}`, { headers: { authorization: basicAuthorization(login) } }));
    if (status === 401) {
      this.missing(`Prometheus at ${base} refused your login \`${login.user}\` (HTTP 401): the course's monitoring host does not know it yet; ask the instructor to run \`${this.command(`${this.course.target === 'openstack' ? 'configure' : 'up'} {course}`)}\``);
    }
    return body;
  }

  /** An instant PromQL query; a query Prometheus rejects ends the check with Prometheus's reason. */
  async prometheusQuery(query: string): Promise<PromSample[]> {
    const body = await this.prometheus(`/api/v1/query?query=${encodeURIComponent(query)}`);
    const answer = body as { status?: string; error?: string; data?: { resultType?: string; result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (answer?.status !== 'success') this.missing(`Prometheus rejected the query \`${query}\`: ${answer?.error ?? 'no answer'}`);
    if (answer.data?.resultType !== 'vector') this.missing(`the query \`${query}\` gives a ${answer.data?.resultType}, not an instant vector`);
    return (answer.data.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  async alerts(): Promise<PromAlert[]> {
    const body = await this.prometheus('/api/v1/alerts');
    return ((body as { data?: { alerts?: PromAlert[] } })?.data?.alerts ?? []).map((a) => ({ labels: a.labels, state: a.state, ...(a.activeAt ? { activeAt: a.activeAt } : {}) }));
  }

  /**
   * A Gnocchi API call as the learner (their own user and password): Gnocchi lets them touch only
   * what they created, so a check sees exactly what the learner could do.
   */
  async gnocchi(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const { gnocchiRequest } = await import('../pipeline/metrics.js');
    const base = this.urls().gnocchi;
    const credential = gnocchiLearner(this.course, this.learner.id);
    return this.answer('Gnocchi', base, () => gnocchiRequest(base, credential, method, path, body, REQUEST_TIMEOUT_MS));
  }

  /**
   * The learner's monitoring login (Prometheus and Gnocchi, one host) as a netrc file in their workspace (0600), for `curl --netrc-file`:
   * the password never appears on a command line or in the step's text. None without monitoring.
   */
  writeMonitoringNetrc(): string {
    const file = this.path(MONITORING_NETRC);
    if (!this.course.monitoring.enabled) return file;
    const text = netrcEntry(this.urls().gnocchi, gnocchiLearner(this.course, this.learner.id));
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    return file;
  }

  // ---- the learner's files ----------------------------------------------------------------

  /** A workspace file's text, or undefined when it does not exist. */
  read(...parts: string[]): string | undefined {
    const file = this.path(...parts);
    return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
  }

  /** A YAML answers file of the workspace; a missing or malformed file ends the check saying so. */
  answers(file: string): Record<string, unknown> {
    const text = this.read(file);
    if (text === undefined) this.missing(`no answers yet: write them in ${this.shown(this.path(file))}`);
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      this.missing(`${this.shown(this.path(file))} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) this.missing(`${this.shown(this.path(file))} must hold \`field: value\` lines`);
    return parsed as Record<string, unknown>;
  }

  /** A number answer; missing or not a number ends the check naming the file and field. */
  numberAnswer(answers: Record<string, unknown>, file: string, field: string): number {
    const value = answers[field];
    if (value === undefined || value === null) this.missing(`${this.shown(this.path(file))}: no \`${field}:\` answer yet`);
    const number = typeof value === 'number' ? value : Number(String(value).replace(/[×x%s]$/, ''));
    if (!Number.isFinite(number)) this.missing(`${this.shown(this.path(file))} ${field}: "${String(value)}" is not a number`);
    return number;
  }

  /** The synthesized Terraform JSON of every stack under `dir` (a CDKTF app's cdktf.out), by stack name. */
  synthesized(dir: string): Record<string, Record<string, unknown>> {
    return synthesizedStacks(dir);
  }

  // ---- pipeline results -------------------------------------------------------------------

  /**
   * Pipeline runs started since `since` (default: since the step started), oldest first; a
   * report copied or touched is still the old run (see lab-pipeline-results.ts).
   */
  pipelineRuns(since: Date = this.stepStartedAt): PipelineRunSummary[] {
    return pipelineRunsIn(this.stateDir, since, this.learner.id);
  }

  /** The latest scaling experiment written since `since` (default: since the step started). */
  scaleResult(since: Date = this.stepStartedAt): (ScaleResult & { file: string }) | undefined {
    return scaleResultIn(this.stateDir, since, this.learner.id);
  }

  /**
   * Size and creation time of a container image on this machine's Docker (`pipeline build` makes
   * them here whatever the target), undefined when absent.
   */
  async image(tag: string): Promise<{ sizeMb: number; createdAt: Date } | undefined> {
    const { connectDocker } = await import('../local/docker.js');
    const { docker } = await connectDocker();
    const info = await docker.getImage(tag).inspect().catch(() => undefined);
    return info ? { sizeMb: info.Size / 1e6, createdAt: new Date(info.Created) } : undefined;
  }

  // ---- Ansible, failures, teardown -------------------------------------------------------

  /**
   * Runs a playbook of the workspace against the learner's VMs (inventory from the target, as
   * `resops inventory` writes it), with ansible-playbook from the host or the toolbox image.
   * Returns the recap and the names of the tasks that changed something.
   */
  async ansiblePlaybook(file: string, options: { inventory?: string } = {}): Promise<{ ok: boolean; changed: number; changedTasks: string[]; failed: string[]; output: string }> {
    const [{ buildInventory }, { renderInventory, learnerGroup }, { runPlaybook }] = await Promise.all([
      import('../ansible/build.js'),
      import('../ansible/inventory.js'),
      import('../ansible/runner.js'),
    ]);
    // The learner's playbook logs in as the learner, with their key: what their own inventory does.
    // An inventory of the learner's own (their web server's) is used as it is; else the course's, limited to their VMs.
    const inventoryFile = options.inventory ?? this.path('ansible', 'inventory.yml');
    if (!options.inventory) {
      const inventory = await buildInventory(this.course, { keys: this.sshKey ? { default: this.sshKey } : {}, login: 'learner' });
      mkdirSync(dirname(inventoryFile), { recursive: true });
      // The learner's own inventory names their machines only, as `inventory --learner` writes it.
      writeFileSync(inventoryFile, renderInventory({ ...inventory, hosts: inventory.hosts.filter((h) => h.learner === this.learner.id) }));
    }
    const changedTasks: string[] = [];
    const lines: string[] = [];
    const run = await runPlaybook({
      inventoryFile,
      playbook: resolve(file),
      ...(options.inventory ? {} : { limit: learnerGroup(this.learner.id) }),
      ...(this.sshKey ? { mounts: [this.sshKey] } : {}),
      onLine: (line) => lines.push(line),
      onEvent: (event) => {
        if (event.kind === 'result' && event.status === 'changed') changedTasks.push(event.task);
        if (event.kind === 'task') this.log(`  TASK ${event.name}`);
      },
    });
    return {
      ok: run.ok,
      changed: run.recap.reduce((n, r) => n + r.changed, 0),
      changedTasks,
      failed: run.failures.map((f) => `${f.task}: ${f.message ?? f.status}`),
      output: lines.join('\n'),
    };
  }

  /**
   * Terraform on the learner's own stack in `dir` (exercise 01), with the course's provider
   * source and credentials, as `terraform` typed in that folder would run with them.
   */
  async terraform(args: string[], dir: string, options: { timeoutMs?: number; quiet?: boolean } = {}): Promise<CommandResult> {
    const [{ terraformEnvironment }, { TERRAFORM_ENV }] = await Promise.all([import('../terraform/environment.js'), import('../terraform/process.js')]);
    return this.exec('terraform', [...args, '-no-color'], { cwd: dir, timeoutMs: options.timeoutMs ?? 20 * 60_000, env: { ...TERRAFORM_ENV, ...terraformEnvironment(this.course).env }, ...(options.quiet ? { quiet: true } : {}) });
  }

  /**
   * What the learner's stack in `dir` has made, from its state; undefined when Terraform cannot
   * read it (never initialised), and no resources when it was never applied or was destroyed.
   */
  async appliedStack(dir: string): Promise<{ stack?: AppliedStack; problem?: string }> {
    const { parseShowJson } = await import('./lab-stack.js');
    if (!existsSync(join(dir, '.terraform'))) return { problem: `Terraform was never initialised in ${this.shown(dir)}: run \`terraform init\` there` };
    const shown = await this.terraform(['show', '-json'], dir, { timeoutMs: 120_000, quiet: true });
    if (shown.code !== 0) return { problem: `\`terraform show\` in ${this.shown(dir)} failed: ${lastLine(shown.stderr) || `exit ${shown.code}`}` };
    return { stack: parseShowJson(shown.stdout) };
  }

  /**
   * A server of the cloud by ID (openstack target): what Nova says, with its floating IPs as
   * Neutron has them (Nova's copy of a server's addresses follows an association only later).
   */
  async cloudServerById(id: string): Promise<{ id: string; name: string; status: string; created: Date; floating: string[] } | undefined> {
    const { clientFor } = await import('../openstack/client.js');
    const client = await clientFor(this.cloudName);
    const server = await client.compute.getServer(id);
    if (!server) return undefined;
    const ports = new Set((await client.network.listPorts({ device_id: id })).map((p) => p.id));
    const floating = (await client.network.listFloatingIps()).filter((f) => f.port_id !== null && ports.has(f.port_id)).map((f) => f.floating_ip_address);
    return { id: server.id, name: server.name, status: server.status, created: new Date(server.created), floating };
  }

  /** IDs of the cloud's servers called `name` (openstack target): a re-created server must not leave its old self behind. */
  async cloudServerIdsNamed(name: string): Promise<string[]> {
    const { clientFor } = await import('../openstack/client.js');
    const client = await clientFor(this.cloudName);
    const { escapeRegex } = await import('../openstack/checks.js');
    return (await client.compute.listServers({ name: `^${escapeRegex(name)}$` })).filter((s) => s.name === name).map((s) => s.id);
  }

  /**
   * Runs `command` over SSH on any machine of the learner's (their own stack's server), as
   * `user`, with their key; the address is checked as the lab's own are (a rehearsal cloud's
   * floating IP only along a route into that cloud).
   */
  async sshAt(host: string, user: string, command: string, options: { timeoutMs?: number; hostKeyAlias?: string } = {}): Promise<CommandResult> {
    const guarded = await this.machines.guard(host);
    if (guarded.problem) this.missing(guarded.problem);
    // Trusted on first use per machine, not per address: a new server behind a recycled floating IP is a new host.
    return this.sshRun({ host, port: 22 }, user, command, options.timeoutMs ?? 30_000, `${user}@${host}`, options.hostKeyAlias);
  }

  /** The private key checks log in with, when the learner gave one (its path; never the key). */
  get privateKey(): string | undefined {
    return this.sshKey;
  }

  /**
   * Retries `login` (an SSH command that ends the check when it cannot log in) every 5 s, at most
   * `attempts` times: a server is ACTIVE well before cloud-init has let anyone in.
   */
  async waitForLogin(what: string, login: () => Promise<unknown>, attempts = 36): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await login();
        return;
      } catch (error) {
        if (!(error instanceof StepIncomplete) || attempt >= attempts) throw error;
        if (attempt === 1) this.log(`  waiting for ${what} to let you in (it is booting)`);
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
    }
  }

  /** The learner's known_hosts for the machines checks log in to. */
  get knownHostsFile(): string {
    return join(this.stateDir, 'exercises', this.learner.id, 'known_hosts');
  }

  /** The address this machine reaches the learner's VM `vm` at for its services (a web page), or the check ends saying why there is none. */
  async serviceAddress(vm = 1): Promise<string> {
    const found = await this.machines.serviceAddress(this.vmName(vm), vm);
    if ('problem' in found) return this.missing(found.problem);
    return found.address;
  }

  /**
   * How Ansible logs in to the learner's VM `vm` as the learner, with their key: the host's
   * variables of the course inventory (what `resops inventory --as-learner` writes).
   */
  async learnerHostVars(vm = 1): Promise<Record<string, unknown>> {
    const { buildInventory } = await import('../ansible/build.js');
    const inventory = await buildInventory(this.course, { keys: this.sshKey ? { default: this.sshKey } : {}, login: 'learner' });
    const host = inventory.hosts.find((h) => h.name === this.vmName(vm));
    if (!host) return this.missing(`${this.vmName(vm)} is not in the course's inventory: is your lab up? (\`${this.command('up {course} --learner {learner}')}\`)`);
    return { ...inventory.vars, ...inventory.groupVars.learners, ...host.vars };
  }

  /** An HTTP GET from this machine (the learner's browser), address checked as `sshAt` checks it. */
  async httpGet(url: string): Promise<{ status: number; body: string } | { problem: string }> {
    const guarded = await this.machines.guard(new URL(url).hostname);
    if (guarded.problem) return { problem: guarded.problem };
    try {
      const response = await fetchWithin(REQUEST_TIMEOUT_MS, url);
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { problem: `${url} does not answer (${(error as Error).message})` };
    }
  }

  /** The cloud's view of a server by name (openstack target). */
  async cloudServer(name: string): Promise<{ ok: boolean; detail: string }> {
    const { serverIsActive } = await import('../openstack/checks.js');
    return serverIsActive(this.cloudName, name);
  }

  /** Whether a security group in the cloud has a rule covering `spec` (openstack target). */
  async cloudSecurityGroupRule(group: string, spec: import('../openstack/checks.js').RuleSpec): Promise<{ ok: boolean; detail: string }> {
    const { securityGroupHasRule } = await import('../openstack/checks.js');
    return securityGroupHasRule(this.cloudName, group, spec);
  }

  /**
   * The "failed node" of the failures exercise: the VM is gone, on both targets (the container
   * removed, the server deleted), so only a redeploy from code brings it back — a stopped
   * container could be started by hand, which is the repair the exercise teaches against.
   */
  async failVm(vm = 1): Promise<void> {
    const failed = await this.machines.failVm(this.vmName(vm));
    if (failed.problem) this.missing(failed.problem);
  }

  /**
   * A pipeline run during which one worker is killed as soon as it starts aligning a shard:
   * what the learner does by hand with `docker kill` in a second terminal.
   */
  async pipelineRunLosingAWorker(options: { workers: number; reads: number; shards?: number }): Promise<{ run: string; lost: string[] }> {
    const [{ runPipeline }, { workerName }] = await Promise.all([import('../pipeline/run.js'), import('../pipeline/infra.js')]);
    const victim = workerName(this.course, options.workers);
    let killed: Promise<void> | undefined;
    const { stderrProgress } = await import('../local/progress.js');
    const result = await runPipeline(this.course, {
      workers: options.workers,
      reads: options.reads,
      ...(options.shards ? { shards: options.shards } : {}),
      learner: this.learner.id,
      ...(this.target === 'local' ? { docker: await this.docker() } : {}),
      progress: stderrProgress((line) => this.log(`  ${line}`)),
      onProgress: (event) => {
        if (!killed && event.type === 'shard' && event.stage === 'align' && event.event === 'start' && event.worker === `worker${options.workers}`) {
          this.log(`  ${this.target === 'local' ? 'killing' : 'stopping (Nova)'} ${victim} while it aligns shard ${event.job}`);
          killed = this.machines.stopWorker(victim).catch((error: Error) => this.log(`  could not stop ${victim}: ${error.message}`));
        }
      },
    }).finally(async () => {
      // The cluster is whole again for the runs after this one, whatever this one did.
      if (!killed) return;
      await killed;
      const back = await this.machines.restartWorker(victim);
      if (back.problem) this.log(`  ${back.problem}`);
      else if (this.target !== 'local') this.log(`  ${victim} started again for the next runs`);
    });
    return { run: result.run, lost: result.lostWorkers };
  }

  /** What is left of the learner's own lab on the target: local Docker objects labelled with them, or their cloud leftovers. */
  async leftovers(): Promise<string[]> {
    return this.machines.leftovers();
  }

  // ---- commands ---------------------------------------------------------------------------

  /**
   * Runs `resops …` as the learner would (the solutions use the real CLI), its output shown
   * as progress. `{course}` in args stands for the course file, `{learner}` for the learner's id.
   */
  async resops(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CommandResult> {
    const full = args.map((a) => (a === '{course}' ? this.courseFile : a === '{learner}' ? this.learner.id : a));
    this.log(`$ ${this.command(args.join(' '))}`);
    return run(process.execPath, [join(PROJECT_ROOT, 'bin', 'resops.mjs'), ...full], {
      timeoutMs: options.timeoutMs ?? 15 * 60_000,
      env: { ...(this.sshKey ? { RESOPS_SSH_KEY: this.sshKey } : {}), ...options.env },
      onLine: (line) => this.log(`  ${line}`),
    });
  }

  /** Any other command (ansible-playbook, tsx…), in `cwd` (default: the workspace), output shown as progress. */
  async exec(command: string, args: string[], options: { cwd?: string; timeoutMs?: number; env?: Record<string, string>; quiet?: boolean } = {}): Promise<CommandResult> {
    if (!options.quiet) this.log(`$ ${command} ${args.join(' ')}`);
    // The workspace is made on demand; a command run in it before anything was written still runs.
    if (!options.cwd) mkdirSync(this.workspace, { recursive: true });
    return run(command, args, {
      cwd: options.cwd ?? this.workspace,
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
      ...(options.env ? { env: options.env } : {}),
      ...(options.quiet ? {} : { onLine: (line: string) => this.log(`  ${line}`) }),
    });
  }

  /** The Docker daemon of the local target (for the lab's own answers; scripts never get it). */
  async docker(): Promise<import('dockerode')> {
    if (this.target !== 'local') throw new Error('Docker is the local target\'s');
    const { connectDocker } = await import('../local/docker.js');
    return (await connectDocker()).docker;
  }
}
