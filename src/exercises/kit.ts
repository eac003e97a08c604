/**
 * What exercise scripts import. A script is a module whose default export is made by one of
 * these: `check` returns what it found (one line) or ends with `lab.missing("what is missing")`;
 * `solve`, `setup` and `reset` do the work and may return a line to show. Commands go through
 * `lab.exec` (output shown as progress, the learner's workspace as working directory) or, for
 * work of the script's own, the toolkit's one runner `runCommand` (timeout required, fails with
 * CommandFailed): the same runner underneath, so every script runs commands one way.
 */
import type { Lab } from './lab.js';

export type { Lab, VmState, PromSample, PromAlert, CommandResult, PipelineRunSummary } from './lab.js';
export { StepIncomplete } from './lab.js';
export { runCommand } from '../process/run-command.js';
export { CommandFailed } from '../process/command-failed.js';

export type StepFunction = (lab: Lab) => Promise<string | void>;

export const defineCheck = (fn: (lab: Lab) => Promise<string>): StepFunction => fn;
export const defineSolve = (fn: StepFunction): StepFunction => fn;
export const defineSetup = (fn: StepFunction): StepFunction => fn;
export const defineReset = (fn: StepFunction): StepFunction => fn;

/**
 * A mistake a learner really makes in a step (doing by hand what the step automates, the right
 * thing in the wrong place, a value that only looks right, a too-wide rule, a report that hides a
 * change): the tests do it, run the check, expect exactly `says`, then reset the step.
 */
export interface WrongAttempt {
  /** What the learner did, in a few words. */
  name: string;
  /** Targets where the mistake can be made (default: both). */
  targets?: Array<'local' | 'openstack'>;
  /** Does the wrong work, as the learner would. */
  attempt: (lab: Lab) => Promise<void>;
  /**
   * What the check must answer, exactly; asked after `attempt` and before the check. A RegExp
   * only where the message holds something measured at check time (a percentage, a timestamp).
   */
  says: (lab: Lab) => string | RegExp | Promise<string | RegExp>;
  /**
   * Removes what the mistake left where the step's reset cannot know to look (a file in /tmp, a
   * container made by hand): run after the check, before the reset.
   */
  cleanup?: (lab: Lab) => Promise<void>;
}

export const defineWrongAttempts = (attempts: WrongAttempt[]): WrongAttempt[] => attempts;
