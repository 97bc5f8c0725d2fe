import { AsyncLocalStorage } from 'async_hooks';
import { ErrorDetails, TaskmillError } from '../errors';
import type { EnqueueOptions } from '../options/task.options';
import type { TaskHandle } from '../queue/task-handle';
import type { ResultOptions } from '../results/result-options';

/** How `taskContext().progress()` reports a value it could not write. */
export interface ProgressOptions {
  /**
   * Wait until the value is in Redis and reject (ConnectionError, RedisOutOfMemoryError) when
   * it cannot be written; the value is then not kept for later. Default false: progress is
   * best-effort and never fails the run.
   */
  confirm?: boolean;
}

/**
 * What a running handler can know about its task and do about it. `Previous` is the type of
 * `previous`, as the handler knows it from its place in a chain or chord (not checked).
 */
export interface TaskContext<Previous = unknown> {
  id: string;
  name: string;
  queue: string;
  /** This run's number, from 1. */
  attempt: number;
  /** Aborts on timeout, on cancel() from any process, and when the worker loses the lease. */
  signal: AbortSignal;
  metadata: Record<string, unknown> | undefined;
  /**
   * In a chain: the previous step's result (undefined for the first step); in a chord's
   * callback: the parts' results, in the parts' order.
   */
  previous: Previous;
  /** In a chain: the previous step's error, when it failed and had `continueOnFailure`. */
  previousError: ErrorDetails | undefined;
  /**
   * Publishes progress: observers see a RUNNING update carrying `value`. Best-effort: while
   * Redis is slow or unreachable the latest value is kept and written when it answers again
   * (if the run is still on), and the promise resolves all the same, so a Redis blip never
   * fails the run (pass `{ confirm: true }` to be told instead). A value the serializer
   * refuses rejects at once with SerializationError.
   */
  progress(value: unknown, options?: ProgressOptions): Promise<void>;
  /** Enqueues a child task (any task; `queue.enqueue` semantics) and returns its handle. */
  enqueueChild(task: string, args?: unknown[], options?: EnqueueOptions): Promise<TaskHandle>;
  /**
   * Waits for other tasks' results (in order; rejects on the first failure), without holding
   * this worker's slot meanwhile: the worker claims other work (the children, say) while this
   * handler waits. Refused with WaitCycleError when one of them waits, through others, for
   * this task.
   */
  waitFor(tasks: (TaskHandle | string)[], options?: ResultOptions): Promise<unknown[]>;
}

/** What a handler runs inside: gives its context when first asked for it. */
export interface TaskContextSource {
  taskContext(): TaskContext;
}

const storage = new AsyncLocalStorage<TaskContextSource>();

/**
 * The running task's context, from anywhere inside its handler's async call tree. Give the
 * type of `previous` when the task is a chain step or a chord callback (it is the caller's
 * claim: the value is the deserialised result of the step before).
 * @example
 * const { signal, progress } = taskContext();
 * await progress({ done: 10, total: 100 });
 * const invoice = taskContext<Invoice>().previous; // in the step after invoice.create
 */
export function taskContext<Previous = unknown>(): TaskContext<Previous> {
  const source = storage.getStore();
  if (!source) {
    throw new TaskmillError(
      'taskContext() was called outside a running @Task handler; call it from the handler ' +
        '(or code it awaits) while the task runs.',
    );
  }
  return source.taskContext() as TaskContext<Previous>;
}

/** The running task's context, or undefined outside a run (where taskContext() throws). */
export function runningTaskContext(): TaskContext | undefined {
  return storage.getStore()?.taskContext();
}

export function runInTaskContext<T>(source: TaskContextSource, fn: () => T): T {
  return storage.run(source, fn);
}
