import { ClaimedTask } from '../broker/claimed-task';
import { ErrorDetails } from '../errors';
import { TaskContext, TaskContextSource } from './task-context';
import { TaskRef } from '../core/worker-event';

/** Why a run's signal was aborted. */
export type AbortCause = 'timeout' | 'cancel' | 'lease-lost' | 'shutdown';

export type Ending = { ok: true; value: unknown } | { ok: false; error: unknown; final: boolean };

/** What a task carries for its handler besides the arguments, decoded (workflows, metadata). */
export interface RunExtras {
  metadata: Record<string, unknown> | undefined;
  previous: unknown;
  previousError: ErrorDetails | undefined;
}

/**
 * One run of a claimed task in this worker. The abort controller and the context its handler
 * sees are made only when the handler asks for them (most never do), so a run costs the worker
 * a few objects rather than a dozen: at tens of thousands of tasks a second, allocation and
 * garbage collection are a large part of a worker's time.
 */
export class TaskRun implements TaskContextSource {
  /** `id:attempt`: a worker may hold a hung run and a newer run of the same task at once. */
  readonly key: string;
  readonly ref: TaskRef;
  readonly startedAt = Date.now();
  /** Handed back to the queue on shutdown: no outcome may be written any more. */
  released = false;
  cause?: AbortCause;
  /** The decoded arguments, for hooks; undefined when they could not be decoded. */
  args: unknown[] | undefined;
  /** Set when the task carries any (see RunExtras). */
  extras?: RunExtras;
  /** Ends the run's execution (set while its handler runs). */
  end?: (ending: Ending) => void;
  /** taskContext().waitFor calls in progress. */
  waits = 0;
  /** Its slot is lent to other work while it waits (counted in the runner's `waiting`). */
  lentSlot = false;
  private abortReason?: unknown;
  private controller?: AbortController;
  private context?: TaskContext;

  constructor(
    readonly task: ClaimedTask,
    private readonly contextOf: (run: TaskRun) => TaskContext,
  ) {
    this.key = `${task.id}:${task.attempt}`;
    // One object for all of the run's events and hooks: frozen, so none can change another's.
    this.ref = Object.freeze({
      id: task.id,
      name: task.name,
      queue: task.queue,
      attempt: task.attempt,
    });
  }

  /** The handler's abort signal, made on first use; aborted already when the run was. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cause) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Aborts the signal with `reason` and ends the run's execution now (first ending counts). */
  abort(cause: AbortCause, reason: unknown): void {
    this.cause = cause;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.end?.({ ok: false, error: reason, final: false });
  }

  taskContext(): TaskContext {
    return (this.context ??= this.contextOf(this));
  }
}
