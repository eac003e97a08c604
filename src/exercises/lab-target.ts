/**
 * The questions an exercise asks of the learner's machines, answered per target: one adapter for
 * the local target (Docker) and one for OpenStack (the cloud's APIs). `Lab` holds no target
 * branches of its own; what differs between the targets is all here, side by side.
 */
import type { Course, Learner } from '../course/model.js';
import type { VmState } from './lab.js';
import { localLabTarget } from './lab-target-local.js';
import { openstackLabTarget } from './lab-target-openstack.js';

export interface MonitoringUrls {
  prometheus: string;
  pushgateway: string;
  gnocchi: string;
}

export interface LabTarget {
  /** The machine `name` as the target sees it (missing when it does not exist). */
  vm(name: string): Promise<VmState>;
  /** Where to SSH to VM number `vm`, or why there is nowhere to. */
  sshEndpoint(name: string, vm: number): Promise<{ host: string; port: number } | { problem: string }>;
  /** The address this machine reaches VM `vm`'s services at (a web page it serves), or why there is none. */
  serviceAddress(name: string, vm: number): Promise<{ address: string } | { problem: string }>;
  /** How host keys are checked: `knownHosts` is the learner's file for trust on first use. */
  hostKeyOptions(knownHosts: string): string[];
  /** `{{ssh}}` and `{{ssh_forget}}` for the texts. */
  sshCommands(key: string | undefined): { ssh: string; forget: string };
  urls(): MonitoringUrls;
  /** The failed node of the failures exercise: the machine is gone, as a lost VM is. */
  failVm(name: string): Promise<{ problem?: string }>;
  /** A pipeline worker lost mid-run: its machine stops at once, as a crashed host does (it is not deleted). */
  stopWorker(name: string): Promise<void>;
  /**
   * Brings a worker `stopWorker` stopped back for the runs after (bounded wait until it runs); the
   * local target re-creates its workers for each run and has nothing to do.
   */
  restartWorker(name: string): Promise<{ problem?: string }>;
  /**
   * Whether this machine may contact `address`: a problem when it is a rehearsal cloud's
   * address whose route does not lead into that cloud (the network rule of the machine).
   */
  guard(address: string): Promise<{ problem?: string }>;
  /** What is left of the course, as `kind name`, sorted. */
  leftovers(): Promise<string[]>;
}

/** Both adapters load cheaply: what is heavy (Docker, the OpenStack client) they import on use. */
export function labTarget(course: Course, learner: Learner): LabTarget {
  return course.target === 'local' ? localLabTarget(course, learner) : openstackLabTarget(course, learner);
}
