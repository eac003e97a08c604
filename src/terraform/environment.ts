/** Everything terraform needs from its environment to run a course's stacks the way the toolkit does. */
import type { Course } from '../course/model.js';
import { cloudsFilesEnv, effectiveCloudName } from '../openstack/cloud-config.js';
import { terraformCliSettings, type TerraformCliSettings } from './mirror.js';

/**
 * The provider's source (a mirror, or a CLI configuration of the user's) and the clouds.yaml that
 * holds the course's cloud: the provider must use the credentials the toolkit found, also where
 * it would not look itself (the rehearsal cloud's state directory). Throws TargetError for a
 * mirror that lacks the provider.
 */
export function terraformEnvironment(course: Course): TerraformCliSettings {
  const cli = terraformCliSettings(course);
  return { ...cli, env: { ...cli.env, ...cloudsFilesEnv(effectiveCloudName(course.cloud.name)) } };
}
