import { TaskmillError } from './taskmill.error';

/** A queue name that no task was ever enqueued to under this prefix (or that was obliterated). */
export class UnknownQueueError extends TaskmillError {
  constructor(readonly queue: string) {
    super(
      `Unknown queue "${queue}": no task was ever enqueued to it under this prefix, or it was ` +
        `obliterated. Check the queue name and the module's prefix; a queue becomes known ` +
        `with its first task (queue.queues() lists the known ones).`,
    );
  }
}
