import { ErrorDetails } from './error-details';
import { TaskmillError } from './taskmill.error';

/** `result()` of a task that ended FAILED; carries the remote error as the handler threw it. */
export class TaskFailedError extends TaskmillError {
  readonly remoteName: string;
  readonly remoteMessage: string;
  readonly remoteStack?: string;

  constructor(
    readonly taskId: string,
    readonly attempts: number,
    remote: ErrorDetails,
  ) {
    super(
      `Task ${taskId} failed after ${attempts} attempt(s): ${remote.name}: ${remote.message}. ` +
        `See remoteStack for where it was thrown; fix the cause, then enqueue the task again.`,
    );
    this.remoteName = remote.name;
    this.remoteMessage = remote.message;
    this.remoteStack = remote.stack;
  }
}
