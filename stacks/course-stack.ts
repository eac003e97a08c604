import { LocalBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { Course, MachineRole } from '../src/course/model.js';
import { DataOpenstackComputeFlavorV2, DataOpenstackImagesImageV2, OpenstackProvider } from './constructs/openstack.js';

export interface CourseStackProps {
  course: Course;
  /**
   * Local state file, relative to the stack's synthesized directory, so that `cdk.tf.json` never
   * names the machine that synthesized it. Use a remote backend instead by overriding
   * `configureBackend` (see docs/state.md).
   */
  stateFile: string;
  /** The clouds.yaml entry the provider uses. Default: the course's `cloud.name` (the instructor's). */
  cloud?: string;
}

/**
 * What every course stack shares: the OpenStack provider configured by clouds.yaml cloud name only
 * (credentials stay in clouds.yaml / OS_* variables), and one state file per stack.
 */
export class CourseStack extends TerraformStack {
  constructor(scope: Construct, name: string, props: CourseStackProps) {
    super(scope, name);
    new OpenstackProvider(this, 'openstack', { cloud: props.cloud ?? props.course.cloud.name, region: props.course.cloud.region });
    new LocalBackend(this, { path: props.stateFile });
  }

  /** The course image, looked up at plan time so a missing image fails before anything is created. */
  protected courseImage(course: Course): DataOpenstackImagesImageV2 {
    return new DataOpenstackImagesImageV2(this, 'image', { name: course.cloud.image, mostRecent: true });
  }

  /** The flavor of a machine role, looked up by name for the same reason. */
  protected courseFlavor(course: Course, role: MachineRole): DataOpenstackComputeFlavorV2 {
    return new DataOpenstackComputeFlavorV2(this, `flavor-${role}`, { name: course.cloud.flavors[role].name });
  }
}
