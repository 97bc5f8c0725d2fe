import { TaskCancelledError, TaskFailedError, TaskNotFoundError } from '../errors';
import { TaskStatus } from '../core/task-status';
import { ErrorDetails } from '../errors';

/** A task's outcome as stored: the value, or why there is none. */
export type StoredOutcome =
  | { status: TaskStatus.SUCCEEDED; value: unknown }
  | { status: TaskStatus.FAILED; error: ErrorDetails; attempts: number }
  | { status: TaskStatus.CANCELLED }
  | { status: TaskStatus.SUBMITTED | TaskStatus.RUNNING | TaskStatus.RETRYING }
  | { status: TaskStatus.UNKNOWN };

/**
 * How one task ended, as `queue.results()` yields it. `error` is what `result()` would have
 * rejected with.
 */
export type TaskSettlement<R = unknown> =
  | { id: string; status: TaskStatus.SUCCEEDED; value: R }
  | { id: string; status: TaskStatus.FAILED; error: TaskFailedError }
  | { id: string; status: TaskStatus.CANCELLED; error: TaskCancelledError }
  /** No record: never enqueued under this prefix, or expired. */
  | { id: string; status: TaskStatus.UNKNOWN; error: TaskNotFoundError };

/** The settlement of a stored outcome; undefined while the task has not finished. */
export function settlementOf(id: string, outcome: StoredOutcome): TaskSettlement | undefined {
  switch (outcome.status) {
    case TaskStatus.SUCCEEDED:
      return { id, status: outcome.status, value: outcome.value };
    case TaskStatus.FAILED:
      return {
        id,
        status: outcome.status,
        error: new TaskFailedError(id, outcome.attempts, outcome.error),
      };
    case TaskStatus.CANCELLED:
      return { id, status: outcome.status, error: new TaskCancelledError(id) };
    case TaskStatus.UNKNOWN:
      return { id, status: outcome.status, error: new TaskNotFoundError(id) };
    default:
      return undefined;
  }
}

/**
 * What `result()` gives for an outcome: the value, or the error of a task that failed, was
 * cancelled or has no record (TaskNotFoundError too for one that has not finished).
 */
export function valueOf<T>(id: string, settlement: TaskSettlement | undefined): T {
  if (!settlement) throw new TaskNotFoundError(id);
  if (settlement.status === TaskStatus.SUCCEEDED) return settlement.value as T;
  throw settlement.error;
}
