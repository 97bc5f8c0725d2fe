import { Broker, EnqueueResult } from '../broker/broker';
import { NewTask } from '../broker/new-task';
import { MessageAlreadyExistsError } from '../errors';

interface Pending {
  task: NewTask;
  resolve(result: EnqueueResult): void;
  reject(error: unknown): void;
}

/**
 * Coalesces the single enqueues of one event-loop turn into one enqueue script call. Each task
 * still succeeds or fails on its own (a taken id fails only that enqueue), and the caller's
 * promise resolves only once its task is in Redis.
 */
export class EnqueueBatcher {
  private pending: Pending[] = [];

  constructor(private readonly broker: Broker) {}

  /** Resolves once the task is written ('written'), or its id's holder returned ('existing'). */
  add(task: NewTask): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      // A microtask: enqueues made in the same turn (a loop, Promise.all) join one call.
      if (this.pending.length === 0) queueMicrotask(() => void this.flush());
      this.pending.push({ task, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const written = await this.broker.enqueue(
        batch.map((pending) => pending.task),
        false,
      );
      batch.forEach((pending, i) =>
        written[i] === 'taken'
          ? pending.reject(new MessageAlreadyExistsError(pending.task.id))
          : pending.resolve(written[i]),
      );
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
