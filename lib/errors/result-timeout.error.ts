import { TaskmillError } from './taskmill.error';

/** Shown in the message; `pendingIds` has them all. */
const LISTED_IDS = 10;

/** `result({ timeout })` or `results(…, { timeout })` gave up waiting; the tasks go on. */
export class ResultTimeoutError extends TaskmillError {
  constructor(
    /** The task waited for (with `results()`: the first still pending). */
    readonly taskId: string,
    readonly timeoutMs: number,
    /** Every task not finished when the wait gave up, in the order they were given. */
    readonly pendingIds: readonly string[] = [taskId],
  ) {
    super(
      pendingIds.length === 1
        ? `Task ${taskId} did not finish within ${timeoutMs} ms. It is still queued or running; ` +
            `wait longer, or follow it with handle.status$.`
        : `${pendingIds.length} tasks did not finish within ${timeoutMs} ms: ` +
            `${pendingIds.slice(0, LISTED_IDS).join(', ')}` +
            `${pendingIds.length > LISTED_IDS ? `, …` : ''} (all in pendingIds). They are still ` +
            `queued or running; wait longer, or follow them with queue.events$().`,
    );
  }
}
