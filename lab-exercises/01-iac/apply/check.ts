import { defineCheck } from '../../../src/exercises/kit.js';
import { appliedServer, instanceIdAt, webStack } from '../iac.js';

export default defineCheck(async (lab) => {
  webStack(lab);
  const server = await appliedServer(lab);
  const file = lab.shown(lab.path('iac', 'answers.yaml'));
  const answers = lab.answers('iac/answers.yaml');
  if (answers.server_id === undefined || answers.server_id === null) return lab.missing(`${file}: no \`server_id:\` answer yet: log in to ${lab.course.cloud.imageUser}@${server.address} and read /var/lib/cloud/data/instance-id`);
  const answered = String(answers.server_id).trim();
  if (answered !== server.id) return lab.missing(`server_id in ${file} is "${answered}", not the ID of the server your stack made: log in to ${lab.course.cloud.imageUser}@${server.address} and read /var/lib/cloud/data/instance-id`);
  // The machine answering at the address must be the one in the state: the key pair works, the floating IP leads there.
  const seen = await instanceIdAt(lab, server);
  if (seen !== server.id) return lab.missing(`the server answering SSH at ${server.address} is ${seen}, not ${server.name} (${server.id}) of your state`);
  return `${server.name} (${server.id}) from your state is ACTIVE in the cloud, and answers SSH at ${server.address} with your key`;
});
