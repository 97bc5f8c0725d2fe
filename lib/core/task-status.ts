import { ErrorDetails } from '../errors';

/** Where a task is in its life. Terminal: SUCCEEDED, FAILED, CANCELLED. */
export enum TaskStatus {
  SUBMITTED = 'submitted',
  RUNNING = 'running',
  RETRYING = 'retrying',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
  /**
   * No record: never enqueued under this prefix, expired after resultTtl, or lost with
   * Redis's data (restart without persistence, FLUSHALL). Following such a task ends.
   */
  UNKNOWN = 'unknown',
}

const TERMINAL = new Set<TaskStatus>([
  TaskStatus.SUCCEEDED,
  TaskStatus.FAILED,
  TaskStatus.CANCELLED,
]);

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL.has(status);
}

/** What ends a follow (status$, result()): a terminal status, or the task being gone. */
export function endsFollow(status: TaskStatus): boolean {
  return TERMINAL.has(status) || status === TaskStatus.UNKNOWN;
}

/** One status change of one task, as every process sees it. */
export interface StatusUpdate {
  id: string;
  task: string;
  queue: string;
  status: TaskStatus;
  /** Runs started so far (the first run is attempt 1; 0 while never run). */
  attempt: number;
  /** When the change happened, epoch ms (Redis server clock). */
  at: number;
  /** The last run's error, on RETRYING and FAILED. */
  error?: ErrorDetails;
  /** The value the handler last passed to `progress()`, on RUNNING. */
  progress?: unknown;
}
