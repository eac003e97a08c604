import { defineCheck } from '../../../src/exercises/kit.js';
import { ref, resolveVariables, resources, webStack } from '../iac.js';

export default defineCheck(async (lab) => {
  const stack = webStack(lab);
  const servers = resources(stack, 'openstack_compute_instance_v2');
  if (!servers.length) return lab.missing('no server in your stack yet (no openstack_compute_instance_v2 in cdktf.out/stacks/web/cdk.tf.json): add a ComputeInstanceV2 and synthesize');
  const expected = lab.name(lab.learner.id, 'web');
  const found = servers.map(([, s]) => [resolveVariables(stack, String(s.name)), s] as const);
  const match = found.find(([name]) => name === expected);
  if (!match) return lab.missing(`no server named ${expected}: your stack names ${found.map(([n]) => n).join(', ')}`);
  const server = match[1];
  if (!String(server.name).includes(ref('var.learner_name'))) {
    return lab.missing(`server ${expected}: its name is written out ("${String(server.name)}"); build it from the variable (\`${lab.course.id}-\${learner.stringValue}-web\`) so that the stack works for anyone`);
  }
  const problems: string[] = [];
  if (server.image_id !== ref('data.openstack_images_image_v2.image.id')) problems.push('imageId is not the image data source (image.id)');
  if (server.flavor_id !== ref('data.openstack_compute_flavor_v2.flavor.id')) problems.push('flavorId is not the flavor data source (flavor.id)');
  // The server sits on a port of its own: the port carries the security group and, in step 4, the floating IP.
  const networks = (server.network ?? []) as Array<Record<string, unknown>>;
  const ports = resources(stack, 'openstack_networking_port_v2');
  const port = ports.find(([id]) => networks.length === 1 && networks[0]!.port === ref(`openstack_networking_port_v2.${id}.id`));
  if (!port) problems.push(`it is not on a port of your stack (network: [{ port: port.id }], not ${JSON.stringify(server.network ?? [])})`);
  if (server.security_groups !== undefined) problems.push('it names security groups itself: on a port, the groups are the port\'s (securityGroupIds on the NetworkingPortV2), so leave securityGroups out');
  if (problems.length) return lab.missing(`server ${expected}: ${problems.join('; ')}`);
  const [portId, portProps] = port!;
  if (portProps.network_id !== ref('data.openstack_networking_network_v2.network.id')) return lab.missing(`port ${portId} is not on the course network (networkId: network.id, not ${JSON.stringify(portProps.network_id ?? null)})`);
  const groups = (portProps.security_group_ids ?? []) as unknown[];
  // Neutron wants a group's ID: its name there is a group it cannot find at apply time.
  if (JSON.stringify(groups) !== JSON.stringify([ref('openstack_networking_secgroup_v2.web.id')])) return lab.missing(`port ${portId} is not in the web security group by ID (securityGroupIds: [web.id], not ${JSON.stringify(groups)})`);
  // Without a key pair the image's user has no key: the server would boot and nobody could log in.
  const keypairs = resources(stack, 'openstack_compute_keypair_v2');
  if (!server.key_pair) return lab.missing(`server ${expected} has no key pair (keyPair): add a ComputeKeypairV2 with your public key (sshKey.stringValue) and give the server \`keyPair: key.name\``);
  const keypair = keypairs.find(([id]) => server.key_pair === ref(`openstack_compute_keypair_v2.${id}.name`));
  if (!keypair) return lab.missing(`server ${expected}: keyPair is ${JSON.stringify(server.key_pair)}, not the name of a key pair of your stack (keyPair: key.name)`);
  const publicKey = resolveVariables(stack, String(keypair[1].public_key ?? ''));
  if (publicKey.trim() !== lab.learner.sshPublicKey.trim()) return lab.missing(`key pair ${keypair[0]} holds ${publicKey ? `"${publicKey.slice(0, 40)}…"` : 'no public key'}, not your public key: set publicKey: sshKey.stringValue`);
  return `server ${expected}: image and flavor from the data sources, on port ${portId} of the course network in the web group, with your key pair`;
});
