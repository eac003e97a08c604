import { Construct } from 'constructs';
import { cloudInitUserData } from './cloud-init.js';
import { LabVm } from './lab-vm.js';
import { NetworkingSecgroupV2 } from './openstack.js';
import { tcpIngress } from './tcp-ingress.js';
import { tagsOf, type ResourceLabels } from './resource-labels.js';
import type { ITerraformDependable } from 'cdktf';

/** Service ports of the monitoring host. */
export const MONITORING_PORTS = {
  prometheus: 9090,
  pushgateway: 9091,
  alertmanager: 9093,
  gnocchi: 8041,
} as const;

/**
 * What `dashboardAllowedCidrs` may open. Not the Pushgateway: only the toolkit pushes (through an
 * SSH tunnel), and Prometheus takes the labels of what is pushed as they come.
 */
export const DASHBOARD_PORTS = {
  prometheus: MONITORING_PORTS.prometheus,
  alertmanager: MONITORING_PORTS.alertmanager,
  gnocchi: MONITORING_PORTS.gnocchi,
} as const;

/** slurmctld's port (Slurm's default SlurmctldPort): the pipeline workers' controller runs here. */
export const SLURMCTLD_PORT = 6817;

export interface MonitoringHostProps {
  namePrefix: string;
  labels: ResourceLabels;
  networkId: string;
  subnetId: string;
  /** Shared groups, including the monitoring-source group that marks this host. */
  sharedSecurityGroupIds: string[];
  /**
   * Who may open Prometheus, Alertmanager and Gnocchi. Default: nobody. Nothing is opened to the
   * course network: learners are root on their VMs, and the toolkit reaches the services through
   * SSH (pipeline metrics, archive policies).
   */
  dashboardAllowedCidrs?: string[];
  imageId: string;
  flavorId: string;
  externalNetwork: string;
  floatingIpDependsOn: ITerraformDependable[];
  /**
   * Where the pipeline workers are (the services subnet): they reach the Slurm controller on this
   * host. Default: none (a course without workers runs no slurmctld).
   */
  slurmNodesCidr?: string;
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
      tcpIngress(this, ruleId, this.securityGroup, port, { cidr }, `${what} from ${cidr}`);
    (props.dashboardAllowedCidrs ?? []).forEach((cidr, index) => {
      for (const [service, port] of Object.entries(DASHBOARD_PORTS)) allow(`${service}-from-${index}`, port, cidr, service);
    });
    if (props.slurmNodesCidr) allow('slurmctld-from-workers', SLURMCTLD_PORT, props.slurmNodesCidr, 'slurmctld');

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
