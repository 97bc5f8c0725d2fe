import type { ClaimedTask } from '../broker/claimed-task';
import { CorruptTaskError, NonRetryableError } from '../errors';
import { computeBackoff } from './backoff';
import { AbortCause, Ending } from './task-run';

/** Where a run that did not succeed leads: failed for good, or retried after `delayMs`. */
export type FailureStep = { kind: 'fail' } | { kind: 'retry'; delayMs: number };

/**
 * The retry policy, in one place: a run that threw is retried after the task's backoff until
 * its retries are spent; a NonRetryableError, a corrupted record, a result that cannot be
 * serialised (see TaskRunner.record) and a cancel fail the task at once.
 */
export function failureStep(
  task: ClaimedTask,
  ending: Extract<Ending, { ok: false }>,
  cause: AbortCause | undefined,
): FailureStep {
  const final =
    ending.final || ending.error instanceof CorruptTaskError || task.failures + 1 > task.retries;
  if (final || cause === 'cancel') return { kind: 'fail' };
  return { kind: 'retry', delayMs: computeBackoff(task.backoff, task.failures + 1) };
}

/** How a thrown value ends a run: a NonRetryableError (or subclass) allows no retry. */
export function failure(error: unknown): Ending {
  return { ok: false, error, final: error instanceof NonRetryableError };
}
