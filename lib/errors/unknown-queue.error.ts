import { TaskmillError } from './taskmill.error';

/** A queue name that no task was ever enqueued to under this prefix (usually a typo). */
export class UnknownQueueError extends TaskmillError {
  constructor(readonly queue: string) {
    super(
      `Queue "${queue}" has never received a task under this prefix. Check the queue name and the module's prefix.`,
    );
  }
}
