import { TaskmillError } from './taskmill.error';

/**
 * The application closed taskmill's module (its shutdown) while `status$`, `result()` or a
 * results helper was following a task, or one was started after: nothing more can arrive in
 * this process. The tasks themselves go on in Redis.
 */
export class QueueClosedError extends TaskmillError {
  constructor(what: string) {
    super(
      `taskmill was shut down (its QueueModule closed) while ${what}: nothing more arrives in ` +
        'this process. The tasks go on in Redis; follow them from a running application.',
    );
  }
}
