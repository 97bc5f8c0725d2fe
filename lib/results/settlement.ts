import { TaskCancelledError, TaskFailedError, TaskNotFoundError } from '../errors';
import { TaskStatus } from '../core/task-status';
import { StoredOutcome } from './result-store';

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
