import { TaskmillError } from './taskmill.error';

/** What `onDuplicate: 'return-matching'` compares between a new task and its id's holder. */
export type TaskDefinitionPart = 'task name' | 'queue' | 'arguments';

/**
 * Enqueueing with a custom `id` that is already taken by a task that still exists; with
 * `onDuplicate: 'return-matching'`, taken by a task of another definition (`differences`).
 */
export class MessageAlreadyExistsError extends TaskmillError {
  constructor(
    readonly taskId: string,
    /** What differs from the holder (onDuplicate 'return-matching'); empty otherwise. */
    readonly differences: readonly TaskDefinitionPart[] = [],
    /**
     * The queue the refused task was for, when it had a custom id: the 'queue' key layout
     * finds such a task only with its queue, so the advice names it.
     */
    readonly queue?: string,
  ) {
    const follow = `queue.handle('${taskId}'${queue === undefined ? '' : `, { queue: '${queue}' }`})`;
    super(
      differences.length === 0
        ? `A task with id "${taskId}" already exists. Use another id, or follow the existing ` +
            `task with ${follow}.`
        : `A task with id "${taskId}" already exists with another ${differences.join(', ')}: ` +
            `it is not this task, so nothing was written. Use another id for a different task; ` +
            `to follow the existing one, use ${follow}.`,
    );
  }
}
