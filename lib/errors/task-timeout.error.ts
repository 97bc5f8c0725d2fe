import { TaskmillError } from './taskmill.error';

/** Recorded as a task's error when its handler outlived the task's `timeout`. */
export class TaskTimeoutError extends TaskmillError {
  constructor(
    readonly taskName: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Task "${taskName}" exceeded its timeout of ${timeoutMs} ms; its signal was aborted. ` +
        `Raise the task's timeout or make the handler honour taskContext().signal.`,
    );
  }
}
