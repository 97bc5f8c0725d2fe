import type { ClaimedTask } from '../broker/claimed-task';
import { CorruptTaskError, NonRetryableError } from '../errors';
import { computeBackoff } from './backoff';
import { Ending } from './task-run';

/** Where a run that did not succeed leads: failed for good, or retried after `delayMs`. */
export type FailureStep = { kind: 'fail' } | { kind: 'retry'; delayMs: number };

/**
 * The retry policy, in one place: a run that threw (or timed out) is retried after the task's
 * backoff until its retries are spent; a NonRetryableError, a corrupted record and a result
 * that cannot be serialised (see TaskRunner.record) fail the task at once. A cancelled run is
 * not a failure: it ends CANCELLED (TaskRunner.record).
 */
export function failureStep(
  task: ClaimedTask,
  ending: Extract<Ending, { ok: false }>,
): FailureStep {
  const final =
    ending.final || ending.error instanceof CorruptTaskError || task.failures + 1 > task.retries;
  if (final) return { kind: 'fail' };
  return { kind: 'retry', delayMs: computeBackoff(task.backoff, task.failures + 1) };
}

/** How a thrown value ends a run: a NonRetryableError (or subclass) allows no retry. */
export function failure(error: unknown): Ending {
  return { ok: false, error, final: error instanceof NonRetryableError };
}
