import { Construct } from 'constructs';
import { cloudInitUserData } from './cloud-init.js';
import { LabVm } from './lab-vm.js';
import { NetworkingSecgroupRuleV2, NetworkingSecgroupV2 } from './openstack.js';
import { tagsOf, type ResourceLabels } from './resource-labels.js';
import type { ITerraformDependable } from 'cdktf';

/** Service ports of the monitoring host. */
export const MONITORING_PORTS = {
  prometheus: 9090,
  pushgateway: 9091,
  alertmanager: 9093,
  gnocchi: 8041,
} as const;

export interface MonitoringHostProps {
  namePrefix: string;
  labels: ResourceLabels;
  networkId: string;
  subnetId: string;
  /** Shared groups, including the monitoring-source group that marks this host. */
  sharedSecurityGroupIds: string[];
  /** Who may open the web UIs and APIs. Default: nobody outside the course. */
  allowedCidrs?: string[];
  /** The course CIDR: workers and VMs push metrics to the Pushgateway and Gnocchi from here. */
  courseCidr: string;
  imageId: string;
  flavorId: string;
  externalNetwork: string;
  floatingIpDependsOn: ITerraformDependable[];
  /** Data volume for Prometheus TSDB and Gnocchi, GB. Default 20. */
  volumeGb?: number;
  keyPair?: string;
  adminSshPublicKey?: string;
}

/** The monitoring host: Prometheus, Alertmanager, Pushgateway and Gnocchi on one VM with a data volume. */
export class MonitoringHost extends Construct {
  readonly securityGroup: NetworkingSecgroupV2;
  readonly vm: LabVm;

  constructor(scope: Construct, id: string, props: MonitoringHostProps) {
    super(scope, id);
    this.securityGroup = new NetworkingSecgroupV2(this, 'security-group', {
      name: props.namePrefix,
      description: 'Monitoring UIs and APIs',
      tags: tagsOf(props.labels),
    });
    const allow = (ruleId: string, port: number, cidr: string, what: string) =>
      new NetworkingSecgroupRuleV2(this, ruleId, {
        securityGroupId: this.securityGroup.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        portRangeMin: port,
        portRangeMax: port,
        remoteIpPrefix: cidr,
        description: `${what} from ${cidr}`,
      });
    (props.allowedCidrs ?? []).forEach((cidr, index) => {
      for (const [service, port] of Object.entries(MONITORING_PORTS)) allow(`${service}-from-${index}`, port, cidr, service);
    });
    allow('pushgateway-from-course', MONITORING_PORTS.pushgateway, props.courseCidr, 'pushgateway');
    allow('gnocchi-from-course', MONITORING_PORTS.gnocchi, props.courseCidr, 'gnocchi');

    this.vm = new LabVm(this, 'vm', {
      name: props.namePrefix,
      labels: props.labels,
      networkId: props.networkId,
      subnetId: props.subnetId,
      securityGroupIds: [...props.sharedSecurityGroupIds, this.securityGroup.id],
      imageId: props.imageId,
      flavorId: props.flavorId,
      keyPair: props.keyPair,
      userData: cloudInitUserData({ defaultUserKeys: props.adminSshPublicKey ? [props.adminSshPublicKey] : [] }),
      floatingIpPool: props.externalNetwork,
      floatingIpDependsOn: props.floatingIpDependsOn,
      volumeGb: props.volumeGb ?? 20,
    });
  }
}
