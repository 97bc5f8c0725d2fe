import { TaskmillError } from './taskmill.error';

/**
 * `promoteAll()` refused a queue holding more ready tasks than it rewrites in one atomic call
 * (Redis serves no one else while a script runs). Nothing was changed.
 */
export class TooManyWaitingTasksError extends TaskmillError {
  constructor(
    readonly queue: string,
    /** Ready tasks found (at least this many). */
    readonly waiting: number,
    readonly limit: number,
  ) {
    super(
      `Queue "${queue}" holds ${waiting} ready tasks, more than the ${limit} that promoteAll() ` +
        `may rewrite in one atomic call; nothing was changed. Pass a higher maxTasks (up to ` +
        `1000000) if Redis may pause for about 2 ms per 1000 tasks, or shorten the queue first ` +
        `(removeByPriority()).`,
    );
  }
}
