import { Observable } from 'rxjs';
import { Broker } from '../broker/broker';
import type { SlotKeys } from '../broker/keys';
import { checkResultTimeout, ResultOptions } from '../results/result-options';
import { ResultStore } from '../results/result-store';
import { HistoryEntry } from '../status/history';
import { StatusTracker } from '../status/status-tracker';
import { StatusUpdate } from '../core/task-status';

/**
 * Follows one task from any process: its status, its status changes and its result.
 * `R` is the handler's resolved return type when the task was enqueued by class and method.
 */
export class TaskHandle<R = unknown> {
  // True private fields: a handle returned from a controller is serialised by Nest, and logged
  // or inspected by anyone; what it holds to do its work (clients, options, scripts) must not
  // show. JSON.stringify and util.inspect see `{ id, queue }` only.
  readonly #tracker: StatusTracker;
  readonly #results: ResultStore;
  readonly #broker: Broker;
  readonly #slot: SlotKeys;

  constructor(
    readonly id: string,
    tracker: StatusTracker,
    results: ResultStore,
    broker: Broker,
    /**
     * The task's queue when known: set on handles from enqueue, undefined on `handle(id)`
     * (followers then look it up).
     */
    readonly queue?: string,
  ) {
    this.#tracker = tracker;
    this.#results = results;
    this.#broker = broker;
    // Found now, so that a custom id without its queue fails here (QueueRequiredError).
    this.#slot = broker.router.slotOfTask(id, queue);
  }

  /** The current status (UNKNOWN when the task has no record). */
  status(): Promise<StatusUpdate> {
    return this.#tracker.status(this.id, this.queue);
  }

  /** Current status first, then each change in order; completes after a terminal status. */
  get status$(): Observable<StatusUpdate> {
    return this.#tracker.status$(this.id, this.queue);
  }

  /** Every status the task went through, oldest first. */
  history(): Promise<HistoryEntry[]> {
    return this.#tracker.history(this.id, this.queue);
  }

  /**
   * The handler's return value. Rejects with TaskFailedError, TaskCancelledError,
   * TaskNotFoundError, or ResultTimeoutError when `timeout` passes first.
   */
  async result(options: ResultOptions = {}): Promise<R> {
    return this.#results.wait<R>(this.id, checkResultTimeout(options), this.queue);
  }

  /**
   * Cancels the task: a waiting one never runs; a running one has its signal aborted and ends
   * CANCELLED. True if it was cancelled before it finished.
   */
  async cancel(): Promise<boolean> {
    const result = await this.#broker.cancel(this.#slot, this.id);
    return result === 'cancelled' || result === 'requested';
  }
}

/** What one entry of `results()` resolves to: a handle's result type, unknown for an id. */
export type ResultOf<H> = H extends TaskHandle<infer R> ? R : unknown;
