import { defineCheck } from '../../../src/exercises/kit.js';
import { ref, resolveVariables, resources, webStack } from '../iac.js';

export default defineCheck(async (lab) => {
  const stack = webStack(lab);
  const expected = lab.name(lab.learner.id, 'web');
  const server = resources(stack, 'openstack_compute_instance_v2').find(([, s]) => resolveVariables(stack, String(s.name)) === expected);
  if (!server) return lab.missing(`no server named ${expected} in your stack: finish step 3 first`);
  const floating = resources(stack, 'openstack_networking_floatingip_v2');
  if (!floating.length) return lab.missing(`no floating IP in your stack (no openstack_networking_floatingip_v2): add a NetworkingFloatingipV2 from the pool ${lab.course.cloud.externalNetwork}`);
  const external = lab.course.cloud.externalNetwork;
  const wrongPool = floating.find(([, f]) => resolveVariables(stack, String(f.pool ?? '')) !== external);
  if (wrongPool) return lab.missing(`floating IP ${wrongPool[0]} comes from pool ${JSON.stringify(wrongPool[1].pool ?? null)}, not from the external network ${external}: only there do addresses reach the outside`);
  const addressOf = (id: string) => ref(`openstack_networking_floatingip_v2.${id}.address`);
  const network = ((server[1].network ?? []) as Array<Record<string, unknown>>)[0];
  const port = network?.port;
  const associations = resources(stack, 'openstack_networking_floatingip_associate_v2');
  const given = associations.find(([, a]) => floating.some(([id]) => a.floating_ip === addressOf(id)));
  if (!given) return lab.missing(`your floating IP is not given to any port (no NetworkingFloatingipAssociateV2 with floatingIp: address.address): it would be allocated and reach nothing`);
  if (given[1].port_id !== port) return lab.missing(`the floating IP goes to port ${JSON.stringify(given[1].port_id)}, not to the port of server ${expected} (portId: port.id)`);
  const output = ((stack.output ?? {}) as Record<string, { value?: unknown }>).address;
  if (!output) return lab.missing('no output named `address`: add `new TerraformOutput(this, \'address\', { value: address.address })` so that `terraform output -raw address` tells you where to log in');
  if (!floating.some(([id]) => output.value === addressOf(id))) return lab.missing(`output address is ${JSON.stringify(output.value)}, not the floating IP's address (value: address.address): that is not where anyone outside the cloud can reach the server`);
  return `floating IP from ${external}, given to ${expected}'s port, and output \`address\``;
});
