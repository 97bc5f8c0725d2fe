import { TaskmillError } from './taskmill.error';

/** `result({ timeout })` gave up waiting; the task itself goes on. */
export class ResultTimeoutError extends TaskmillError {
  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Task ${taskId} did not finish within ${timeoutMs} ms. It is still queued or running; ` +
        `wait longer, or follow it with handle.status$.`,
    );
  }
}
