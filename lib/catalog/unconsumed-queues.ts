import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { WorkerEvent } from '../core/worker-event';
import { QueueConsumers } from './queue-consumers';

/** Bounds the memory of queues checked when queue names are built at run time. */
const MAX_CHECKED = 1_000;

/**
 * Warns, once per queue and process, when this app enqueues on a queue that no live worker
 * consumes: its tasks would wait there forever, unnoticed (a producer that routed a task by
 * a name no handler app published, a worker not deployed yet, a typo in a queue name).
 * The check runs beside the enqueue, never delaying it.
 */
export class UnconsumedQueues {
  /** The warnings as events (merged into WorkerService.events$). */
  readonly warnings$ = new Subject<WorkerEvent>();
  private readonly logger = new Logger('taskmill:QueueService');
  private readonly checked = new Set<string>();

  constructor(private readonly consumers: QueueConsumers) {}

  /** Tasks were just written on `queue`. */
  enqueued(queue: string): void {
    if (this.checked.has(queue) || this.checked.size >= MAX_CHECKED) return;
    this.checked.add(queue);
    void this.check(queue);
  }

  private async check(queue: string): Promise<void> {
    try {
      if (await this.consumers.consumed(queue)) return;
    } catch {
      // Redis did not answer: ask again on the next enqueue.
      this.checked.delete(queue);
      return;
    }
    this.logger.warn(
      `tasks were enqueued on queue "${queue}", which no live worker consumes: they wait ` +
        `there until a worker of that queue starts (a producer without a task's @Task routes ` +
        `it to the queue its handler app published, or to its default queue when none did)`,
    );
    this.warnings$.next({ type: 'queue.unconsumed', queue });
  }
}
