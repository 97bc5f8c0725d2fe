import { TaskmillError } from './taskmill.error';

/**
 * No record of a task id: it never existed under this prefix, it expired after `resultTtl`,
 * or Redis lost it (a restart without persistence, FLUSHALL, a failover) while it was followed.
 */
export class TaskNotFoundError extends TaskmillError {
  constructor(readonly taskId: string) {
    super(
      `No task with id "${taskId}" exists: it was never enqueued under this prefix, ` +
        `it finished and its record expired after resultTtl, or Redis lost its data ` +
        `(a restart without persistence, FLUSHALL, a failover). Raise resultTtl to keep ` +
        `results longer; run Redis with persistence (AOF) to keep tasks across restarts.`,
    );
  }
}
