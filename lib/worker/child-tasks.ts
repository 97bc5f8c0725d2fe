import type { EnqueueOptions } from '../options/task.options';
import type { TaskHandle } from '../queue/task-handle';
import type { ResultOptions } from '../results/result-options';

/**
 * How a handler enqueues and follows other tasks (`taskContext().enqueueChild()` and
 * `waitFor()`). The worker states what it needs; the module binds it to QueueService, so the
 * worker does not depend on the facade that producers use.
 */
export interface ChildTasks {
  enqueue(task: string, args?: unknown[], options?: EnqueueOptions): Promise<TaskHandle>;
  /** Every result, in order (one listener per queue however many ids). */
  results(tasks: { id: string; queue?: string }[], options?: ResultOptions): Promise<unknown[]>;
}

/** Injection token of the worker's ChildTasks. */
export const CHILD_TASKS = Symbol('taskmill:child-tasks');
