import { TaskmillError } from './taskmill.error';

/**
 * A task was named by a custom id alone, in the `'queue'` key layout: the id does not say which
 * hash slot holds the task (a generated id does), so its queue must be given.
 */
export class QueueRequiredError extends TaskmillError {
  constructor(readonly id: string) {
    super(
      `Task "${id}" has a custom id, which does not tell where the task is: in the 'queue' ` +
        `key layout (Redis Cluster) each queue has a hash slot of its own. Pass its queue, ` +
        `e.g. queue.handle(id, { queue: 'emails' }).`,
    );
  }
}
