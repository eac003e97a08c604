/**
 * Your first CDKTF stack: a web server VM on the course network, a security group saying who
 * may reach it, the key you log in with, and an address to reach it at. `npm run synth`
 * synthesizes it into cdktf.out/stacks/web/cdk.tf.json, the Terraform JSON that `terraform plan`
 * and `terraform apply` read.
 */
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import {
  ComputeInstanceV2,
  ComputeKeypairV2,
  DataOpenstackComputeFlavorV2,
  DataOpenstackImagesImageV2,
  DataOpenstackNetworkingNetworkV2,
  NetworkingFloatingipAssociateV2,
  NetworkingFloatingipV2,
  NetworkingPortV2,
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
    // The public half of your SSH key, as the course file has it: the key pair of step 3 carries it.
    const sshKey = new TerraformVariable(this, 'ssh_public_key', { type: 'string', default: '@@PUBLIC_KEY@@', description: 'your SSH public key' });

    const image = new DataOpenstackImagesImageV2(this, 'image', { name: '@@IMAGE@@', mostRecent: true });
    const flavor = new DataOpenstackComputeFlavorV2(this, 'flavor', { name: '@@FLAVOR@@' });
    const network = new DataOpenstackNetworkingNetworkV2(this, 'network', { name: '@@NETWORK@@' });

    const web = new NetworkingSecgroupV2(this, 'web', {
      name: `@@COURSE@@-${learner.stringValue}-web`,
      description: 'who may reach the web server',
    });
    // SSH from where the course allows it (cloud.ssh_allowed_cidrs): a rule, written out.
    @@SSH_CIDRS@@.forEach((cidr, i) => {
      new NetworkingSecgroupRuleV2(this, `ssh-${i}`, {
        securityGroupId: web.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        portRangeMin: 22,
        portRangeMax: 22,
        remoteIpPrefix: cidr,
      });
    });

    // Step 2: a NetworkingSecgroupRuleV2 letting the course network (@@CIDR@@) reach TCP 8080.

    // Step 3: a ComputeKeypairV2 holding `sshKey`, a NetworkingPortV2 on `network` in the `web`
    // group, and the server, a ComputeInstanceV2 named @@COURSE@@-<your id>-web, on that port,
    // with your key pair.

    // Step 4: a floating IP from the external network `@@EXTERNAL@@` (NetworkingFloatingipV2), given to
    // the server's port (NetworkingFloatingipAssociateV2), and a TerraformOutput `address`.

    new TerraformOutput(this, 'security_group', { value: web.name });
    // Keeps TypeScript quiet until you use them in steps 2 to 4.
    void [image, flavor, network, sshKey, NetworkingSecgroupRuleV2, NetworkingPortV2, ComputeInstanceV2, ComputeKeypairV2, NetworkingFloatingipV2, NetworkingFloatingipAssociateV2];
  }
}

const app = new App({ outdir: 'cdktf.out' });
new WebStack(app, 'web');
app.synth();
