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
  const networks = (server.network ?? []) as Array<Record<string, unknown>>;
  if (!networks.some((n) => n.name === ref('data.openstack_networking_network_v2.network.name') || n.uuid === ref('data.openstack_networking_network_v2.network.id'))) problems.push('it is not on the course network (network: [{ name: network.name }])');
  // Nova's security_groups takes names: an ID there is a group Nova cannot find at boot.
  if (JSON.stringify(server.security_groups ?? []) !== JSON.stringify([ref('openstack_networking_secgroup_v2.web.name')])) problems.push(`it is not in the web security group by name (securityGroups: [web.name], not ${JSON.stringify(server.security_groups ?? [])})`);
  if (problems.length) return lab.missing(`server ${expected}: ${problems.join('; ')}`);
  return `server ${expected}: image, flavor and network from the data sources, in the web group`;
});
