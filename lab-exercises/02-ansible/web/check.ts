import { parse } from 'yaml';
import { defineCheck, type Lab } from '../../../src/exercises/kit.js';
import { webInventoryFile, webPlaybookFile, webServer, writeWebInventory } from '../web-server.js';

type Task = Record<string, unknown>;

/** The tasks of every play, with the module each one calls (its first key that is not a task keyword). */
function tasks(plays: unknown[]): Array<{ module: string; args: unknown }> {
  const keywords = new Set(['name', 'become', 'when', 'notify', 'register', 'tags', 'vars', 'loop', 'with_items', 'changed_when', 'failed_when', 'ignore_errors', 'become_user', 'environment', 'delegate_to', 'no_log']);
  return plays.flatMap((play) => ((play as { tasks?: Task[] }).tasks ?? [])).map((task) => {
    const module = Object.keys(task ?? {}).find((k) => !keywords.has(k)) ?? '';
    return { module: module.replace(/^ansible\.builtin\./, ''), args: task[module] };
  });
}

const names = (args: unknown): string[] => {
  const name = typeof args === 'object' && args !== null ? (args as { name?: unknown }).name : undefined;
  return (Array.isArray(name) ? name : [name]).map(String);
};

/** What a page says, in a few words, for a message. */
function gist(body: string): string {
  if (body.includes('Welcome to nginx')) return 'it is nginx\'s default page';
  const text = body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return `it says "${text.slice(0, 60)}${text.length > 60 ? '…' : ''}"`;
}

async function pageRuleProblem(lab: Lab, group: string): Promise<string | undefined> {
  const cidrs = lab.course.cloud.sshAllowedCidrs;
  for (const cidr of cidrs) {
    if ((await lab.cloudSecurityGroupRule(group, { direction: 'ingress', protocol: 'tcp', port: 80, remoteIpPrefix: cidr })).ok) return undefined;
  }
  return `${group} has no rule allowing ingress tcp port 80 from ${cidrs.join(' or ')} (cloud.ssh_allowed_cidrs, where the class's browsers are): add one to your stack in ${lab.shown(lab.path('iac', 'main.ts'))}, synthesize and \`terraform apply\``;
}

export default defineCheck(async (lab) => {
  const file = webPlaybookFile(lab);
  const shown = lab.shown(file);
  const text = lab.read('ansible', 'web.yml');
  if (text === undefined) return lab.missing(`no playbook at ${shown} yet`);
  let plays: unknown;
  try {
    plays = parse(text);
  } catch (error) {
    return lab.missing(`${shown} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(plays) || !plays.length || !plays.every((p) => typeof p === 'object' && p !== null && 'hosts' in p)) return lab.missing(`${shown} is not a playbook: a YAML list of plays, each with \`hosts:\` and \`tasks:\``);
  const all = tasks(plays);
  // The module that knows packages: a shell command cannot say whether it changed anything.
  if (!all.some((t) => t.module === 'package' && names(t.args).includes('nginx'))) {
    const shell = all.find((t) => ['shell', 'command'].includes(t.module) && /\bnginx\b/.test(JSON.stringify(t.args)));
    return lab.missing(shell
      ? `${shown} installs nginx with ${shell.module} (${JSON.stringify(shell.args)}): use ansible.builtin.package (name: nginx, state: present), which installs it only when it is missing`
      : `${shown} has no ansible.builtin.package task installing nginx`);
  }
  if (!all.some((t) => t.module === 'service' && names(t.args).includes('nginx'))) return lab.missing(`${shown} has no ansible.builtin.service task for nginx (state: started, enabled: true): a package's own start is not a configuration`);

  const server = await webServer(lab);
  // The page's rule is a change to the security group: the server must stay the one it was.
  const started = Math.floor(lab.stepStartedAt.getTime() / 1000) * 1000;
  if (lab.target === 'openstack' && server.createdAt && server.createdAt.getTime() >= started) {
    return lab.missing(`${server.name} is a new server (${server.id}, created at ${server.createdAt.toISOString()}, after you started this step): opening a port changes the security group in place, and your apply replaced the server; a rule needs no new server`);
  }
  // The effect must come from the playbook: the check stops nginx and removes the page first.
  await server.ssh('sudo systemctl stop nginx 2>/dev/null || sudo service nginx stop 2>/dev/null; sudo rm -f /var/www/html/index.html; true');
  const run = await lab.ansiblePlaybook(file, { inventory: writeWebInventory(lab, server) });
  if (!run.ok) return lab.missing(`your playbook fails (ansible-playbook -i ${lab.shown(webInventoryFile(lab))} ${shown}): ${run.failed.join('; ') || 'see the ansible-playbook output above'}`);
  const running = await server.ssh('pgrep -x nginx >/dev/null && echo running || echo stopped');
  if (running.stdout.trim() !== 'running') return lab.missing(`nginx is not running on ${server.name} after the check stopped it and ran your playbook`);
  if (lab.target === 'openstack') {
    const problem = await pageRuleProblem(lab, lab.name(lab.learner.id, 'web'));
    if (problem) return lab.missing(problem);
  }
  const url = `http://${server.address}/`;
  const page = await lab.httpGet(url);
  if ('problem' in page) return lab.missing(page.problem);
  if (page.status !== 200) return lab.missing(`${url} answers ${page.status}, not 200`);
  if (!page.body.includes(lab.learner.id)) return lab.missing(`the page at ${url} does not name you ("${lab.learner.id}"): ${gist(page.body)}; copy a page that does to /var/www/html/index.html`);
  return `${url} serves your page from ${server.name}${server.id ? ` (${server.id}, the same server as before)` : ''}: nginx installed with package, running with service, put back by your playbook after the check stopped it`;
});
