import { defineSolve } from '../../../src/exercises/kit.js';
import { editMain, synth } from '../iac-edit.js';

export default defineSolve(async (lab) => {
  editMain(lab, (text) =>
    text.includes("'http'")
      ? text
      : text.replace(
          /(\n\s*\/\/ Step 2:[^\n]*\n)/,
          `$1    new NetworkingSecgroupRuleV2(this, 'http', {\n      securityGroupId: web.id,\n      direction: 'ingress',\n      ethertype: 'IPv4',\n      protocol: 'tcp',\n      portRangeMin: 8080,\n      portRangeMax: 8080,\n      remoteIpPrefix: '${lab.course.network.cidr}',\n    });\n`,
        ),
  );
  await synth(lab);
});
