import { defineCheck } from '../../../src/exercises/kit.js';
import { resolveVariables, resources, webStack } from '../iac.js';

export default defineCheck(async (lab) => {
  const stack = webStack(lab);
  const servers = resources(stack, 'openstack_compute_instance_v2');
  if (!servers.length) return lab.missing('no server in your stack yet (no openstack_compute_instance_v2 in cdktf.out/stacks/web/cdk.tf.json): add a ComputeInstanceV2 and synthesize');
  const expected = lab.name(lab.learner.id, 'web');
  const found = servers.map(([, s]) => [resolveVariables(stack, String(s.name)), s] as const);
  const match = found.find(([name]) => name === expected);
  if (!match) return lab.missing(`no server named ${expected}: your stack names ${found.map(([n]) => n).join(', ')}`);
  const server = match[1];
  const problems: string[] = [];
  if (!String(server.image_id ?? '').includes('data.openstack_images_image_v2.image')) problems.push('imageId is not the image data source (image.id)');
  if (!String(server.flavor_id ?? '').includes('data.openstack_compute_flavor_v2.flavor')) problems.push('flavorId is not the flavor data source (flavor.id)');
  if (!JSON.stringify(server.network ?? []).includes('data.openstack_networking_network_v2.network')) problems.push('it is not on the course network (network: [{ name: network.name }])');
  if (!JSON.stringify(server.security_groups ?? []).includes('openstack_networking_secgroup_v2.web')) problems.push('it is not in the web security group (securityGroups: [web.name])');
  if (problems.length) return lab.missing(`server ${expected}: ${problems.join('; ')}`);
  return `server ${expected}: image, flavor and network from the data sources, in the web group`;
});
