import { App } from 'cdktf';
import { relative, resolve } from 'node:path';
import type { Course } from '../src/course/model.js';
import { STACK_NAMES } from '../src/course/naming.js';
import { LabNetworkStack } from './lab-network-stack.js';
import { LearnerStack } from './learner-stack.js';
import { MonitoringStack } from './monitoring-stack.js';
import { PipelineStack } from './pipeline-stack.js';

export interface CourseApp {
  app: App;
  network: LabNetworkStack;
  learners: LearnerStack[];
  monitoring?: MonitoringStack;
  pipeline?: PipelineStack;
}

/**
 * The state file of `stackName`, relative to the directory `cdktf synth` writes the stack to
 * (`<outdir>/stacks/<name>`): Terraform runs there, and a relative path keeps the synthesized JSON
 * free of this machine's absolute paths.
 */
export function stateFileFor(course: Course, outdir: string, stackName: string): string {
  const stackDir = resolve(outdir, 'stacks', stackName);
  const stateFile = resolve(course.dir, course.stateDir, 'terraform', `${stackName}.tfstate`);
  return relative(stackDir, stateFile);
}

/** Every stack of the course: network, one per learner, then monitoring and pipeline when asked for. */
export function buildCourseApp(course: Course, outdir: string): CourseApp {
  const app = new App({ outdir, skipValidation: false });
  const props = (name: string) => ({ course, stateFile: stateFileFor(course, outdir, name) });

  const networkName = STACK_NAMES.network(course);
  const network = new LabNetworkStack(app, networkName, props(networkName));
  const learners = course.learners.map((learner) => {
    const name = STACK_NAMES.learner(course, learner);
    return new LearnerStack(app, name, { ...props(name), learner, lab: network });
  });
  let monitoring: MonitoringStack | undefined;
  if (course.monitoring.enabled) {
    const name = STACK_NAMES.monitoring(course);
    monitoring = new MonitoringStack(app, name, { ...props(name), lab: network });
  }
  let pipeline: PipelineStack | undefined;
  if (course.pipeline.workers > 0) {
    const name = STACK_NAMES.pipeline(course);
    pipeline = new PipelineStack(app, name, { ...props(name), lab: network });
  }
  return { app, network, learners, monitoring, pipeline };
}

