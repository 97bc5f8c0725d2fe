import { TaskmillError } from './taskmill.error';

/**
 * Written on the steps of a chain that an earlier step stopped (it failed, without
 * `continueOnFailure`, or was cancelled): they end FAILED or CANCELLED without running
 * (lib/broker/scripts/includes/chains.lua). Their caller sees a TaskFailedError whose
 * `remoteName` is this class's name; its message names the step that stopped the chain.
 */
export class ChainStoppedError extends TaskmillError {
  /** What to do about it, which TaskFailedError tells the caller of such a step. */
  static readonly remedy =
    'Fix the cause of that step (its own result() has the details), then enqueue the whole ' +
    'chain again: a chain does not resume from a step.';
}
