/**
 * What exercise scripts import. A script is a module whose default export is made by one of
 * these: `check` returns what it found (one line) or ends with `lab.missing("what is missing")`;
 * `solve`, `setup` and `reset` do the work and may return a line to show. zx's `$` is re-exported
 * for shell work in the learner's workspace.
 */
import type { Lab } from './lab.js';

export type { Lab, VmState, PromSample, PromAlert, CommandResult, PipelineRunSummary } from './lab.js';
export { StepIncomplete } from './lab.js';
export { $ } from 'zx';

export type StepFunction = (lab: Lab) => Promise<string | void>;

export const defineCheck = (fn: (lab: Lab) => Promise<string>): StepFunction => fn;
export const defineSolve = (fn: StepFunction): StepFunction => fn;
export const defineSetup = (fn: StepFunction): StepFunction => fn;
export const defineReset = (fn: StepFunction): StepFunction => fn;
