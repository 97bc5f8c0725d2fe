import { TaskmillError } from './taskmill.error';

/** Enqueueing with a custom `id` that is already taken by a task that still exists. */
export class MessageAlreadyExistsError extends TaskmillError {
  constructor(readonly taskId: string) {
    super(
      `A task with id "${taskId}" already exists. Use another id, or follow the existing task ` +
        `with queue.handle('${taskId}').`,
    );
  }
}
