import type { Course } from '../course/model.js';

/** What every target command gets besides the course. */
export interface CommandOptions {
  /** Print machine-readable JSON on stdout instead of human text. */
  json: boolean;
  /** openstack target: use OpenTofu (`tofu`) instead of `terraform`. */
  tofu?: boolean;
  /** Directory for synthesized stacks (default `cdktf.out`, relative to cwd). */
  outDir?: string;
  /** Restrict to one learner where the command supports it. */
  learner?: string;
  /** `down`: also remove built images (local) / delete leftovers found by the leak check (openstack). */
  images?: boolean;
  sweep?: boolean;
  /** openstack `up --learner ID`: destroy that learner's stack, then apply it anew. */
  rebuild?: boolean;
  /** openstack `up`: destroy the stacks the course file no longer has (a removed learner). */
  prune?: boolean;
  /** openstack `up`: apply even when the project's quota looks too small. */
  force?: boolean;
  /** openstack: how many stacks terraform works on at once (default 4). */
  concurrency?: number;
}

/**
 * A target realises a course: `openstack` through Terraform on synthesized stacks, `local` on
 * Docker. Each method returns the process exit code; expected failures are reported as messages
 * that say what to do (the CLI prints TargetError messages without a stack trace).
 */
export interface TargetDriver {
  plan(course: Course, options: CommandOptions): Promise<number>;
  up(course: Course, options: CommandOptions): Promise<number>;
  down(course: Course, options: CommandOptions): Promise<number>;
  status(course: Course, options: CommandOptions): Promise<number>;
}

/** An expected failure: the CLI prints `message` (and `hint`) and exits with `exitCode`. */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}
