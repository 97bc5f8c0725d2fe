import { TaskmillError } from './taskmill.error';

/** `result()` of a task that was cancelled before it finished. */
export class TaskCancelledError extends TaskmillError {
  constructor(readonly taskId: string) {
    super(
      `Task ${taskId} was cancelled (handle.cancel()) before it finished, so it has no result. ` +
        `Enqueue it again if it still needs to run.`,
    );
  }
}
