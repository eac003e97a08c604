/**
 * Your first CDKTF stack: a web server VM on the course network, and a security group saying who
 * may reach it. `npm run synth` synthesizes it into cdktf.out/stacks/web/cdk.tf.json, the
 * Terraform JSON that `terraform plan` and `terraform apply` read.
 */
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import {
  ComputeInstanceV2,
  DataOpenstackComputeFlavorV2,
  DataOpenstackImagesImageV2,
  DataOpenstackNetworkingNetworkV2,
  NetworkingSecgroupRuleV2,
  NetworkingSecgroupV2,
  OpenstackProvider,
} from '@@CONSTRUCTS@@';

class WebStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new OpenstackProvider(this, 'openstack', { cloud: '@@CLOUD@@' });

    // Step 1: put your learner id here.
    const learner = new TerraformVariable(this, 'learner_name', { type: 'string', default: 'CHANGE-ME', description: 'your learner id in the course' });

    const image = new DataOpenstackImagesImageV2(this, 'image', { name: '@@IMAGE@@', mostRecent: true });
    const flavor = new DataOpenstackComputeFlavorV2(this, 'flavor', { name: '@@FLAVOR@@' });
    const network = new DataOpenstackNetworkingNetworkV2(this, 'network', { name: '@@NETWORK@@' });

    const web = new NetworkingSecgroupV2(this, 'web', {
      name: `@@COURSE@@-${learner.stringValue}-web`,
      description: 'who may reach the web server',
    });

    // Step 2: a NetworkingSecgroupRuleV2 letting the course network (@@CIDR@@) reach TCP 8080.

    // Step 3: the server, a ComputeInstanceV2 named @@COURSE@@-<your id>-web, in `network`, with
    // the `web` security group.

    new TerraformOutput(this, 'security_group', { value: web.name });
    // Keeps TypeScript quiet until you use them in steps 2 and 3.
    void [image, flavor, network, NetworkingSecgroupRuleV2, ComputeInstanceV2];
  }
}

const app = new App({ outdir: 'cdktf.out' });
new WebStack(app, 'web');
app.synth();
