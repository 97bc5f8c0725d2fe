import { TaskCancelledError, TaskFailedError, TaskNotFoundError } from '../errors';
import { TaskHandle } from '../queue/task-handle';
import { TaskStatus } from '../status/task-status';
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

/** What one entry of `results()` resolves to: a handle's result type, unknown for an id. */
export type ResultOf<H> = H extends TaskHandle<infer R> ? R : unknown;

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
