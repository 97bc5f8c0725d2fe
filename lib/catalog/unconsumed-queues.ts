import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { Hosting } from '../broker/consumer-scripts';
import { WorkerEvent } from '../core/worker-event';
import { CONSUMED_TTL_MS, QueueConsumers } from './queue-consumers';

/** Bounds the memory of (queue, task name) pairs checked when names are built at run time. */
const MAX_CHECKED = 10_000;

/** A pair's entry while its check is under way, and once it warned: not checked again. */
const SETTLED = Infinity;

/**
 * Warns when this app enqueues tasks that no live worker will run, which would otherwise wait
 * unnoticed:
 * - on a queue that no live worker consumes (a producer that routed a task by a name no
 *   handler app published, a worker not deployed yet, a typo in a queue name): once per queue
 *   and process;
 * - by a task name that none of the queue's live workers has a handler for (its tasks are held
 *   aside until one starts: a rolling deploy under way, the handler's app not deployed): once
 *   per queue, name and process.
 * A queue and name are checked beside the first enqueue, never delaying it; an answer that
 * warned of nothing holds for CONSUMED_TTL_MS (the workers it found may stop, a worker may
 * start without the handler), then the next enqueue asks again.
 */
export class UnconsumedQueues {
  /** The warnings as events (merged into WorkerService.events$). */
  readonly warnings$ = new Subject<WorkerEvent>();
  private readonly logger = new Logger('taskmill:QueueService');
  /** `<queue>\n<task name>` → until when its last answer holds (Date.now() time). */
  private readonly checked = new Map<string, number>();
  /** The queues warned about as unconsumed. */
  private readonly unconsumed = new Set<string>();

  constructor(private readonly consumers: QueueConsumers) {}

  /** Tasks named `name` were just written on `queue`. */
  enqueued(queue: string, name: string): void {
    // Names hold no line break (isName), so the pair's key is unambiguous.
    const pair = `${queue}\n${name}`;
    const until = this.checked.get(pair);
    if (until === undefined ? this.checked.size >= MAX_CHECKED : until > Date.now()) return;
    this.checked.set(pair, SETTLED);
    void this.check(queue, name, pair);
  }

  private async check(queue: string, name: string, pair: string): Promise<void> {
    let hosting: Hosting;
    try {
      hosting = await this.consumers.hosting(queue, name);
    } catch {
      // Redis did not answer: ask again on the next enqueue.
      this.checked.delete(pair);
      return;
    }
    if (hosting === 'not-hosted') return this.warnNotHosted(queue, name);
    if (hosting === 'unconsumed') this.warnUnconsumed(queue);
    this.checked.set(pair, Date.now() + CONSUMED_TTL_MS);
  }

  private warnUnconsumed(queue: string): void {
    if (this.unconsumed.has(queue)) return;
    this.unconsumed.add(queue);
    this.logger.warn(
      `tasks were enqueued on queue "${queue}", which no live worker consumes: they wait ` +
        `there until a worker of that queue starts (a producer without a task's @Task routes ` +
        `it to the queue its handler app published, or to its default queue when none did)`,
    );
    this.warnings$.next({ type: 'queue.unconsumed', queue });
  }

  private warnNotHosted(queue: string, name: string): void {
    this.logger.warn(
      `tasks "${name}" were enqueued on queue "${queue}", whose live workers have no handler ` +
        `for that name: they are held there (stats().held) until a worker with its @Task ` +
        `consumes the queue (a rolling deploy under way, or the handler's app not deployed)`,
    );
    this.warnings$.next({ type: 'task.unhosted', queue, name });
  }
}
