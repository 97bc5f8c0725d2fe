import { Broker } from '../broker/broker';
import { QueueBusyError, UnknownQueueError } from '../errors';
import { checkBoolean, checkKnownKeys, checkName, checkObject } from '../validation/checks';

export interface ObliterateOptions {
  /** Delete the queue even while tasks of it run. Default false. */
  force?: boolean;
}

/** Tasks per script call: a huge queue is handled in many short calls, never one long one. */
const BATCH = 1000;

/** Pauses, resumes, drains and obliterates queues. */
export class QueueControl {
  constructor(private readonly broker: Broker) {}

  /** Workers stop claiming from the queue; returns false when it was paused already. */
  pause(queue: string): Promise<boolean> {
    return this.setPaused(queue, true);
  }

  /** Workers claim from the queue again; returns false when it was not paused. */
  resume(queue: string): Promise<boolean> {
    return this.setPaused(queue, false);
  }

  /** Cancels every waiting and delayed task of the queue; returns how many. */
  async drain(queue: string): Promise<number> {
    checkName(queue, 'queue');
    let cancelled = 0;
    for (let first = true; ; first = false) {
      const batch = await this.broker.admin.drain(queue, BATCH);
      // Unknown after the first batch: another call obliterated the queue meanwhile.
      if (!batch) {
        if (first) throw new UnknownQueueError(queue);
        return cancelled;
      }
      cancelled += batch.cancelled;
      if (batch.taken < BATCH) return cancelled;
    }
  }

  /** Deletes every task and key of the queue; returns how many task records it deleted. */
  async obliterate(queue: string, options: ObliterateOptions = {}): Promise<number> {
    checkName(queue, 'queue');
    checkKnownKeys(checkObject(options, 'options'), ['force'], 'options');
    const force = checkBoolean(options.force ?? false, 'options.force');
    let deleted = 0;
    let cursor = '0';
    for (let first = true; ; first = false) {
      const step = await this.broker.admin.obliterate(queue, BATCH, force, cursor);
      switch (step.state) {
        case 'unknown':
          if (first) throw new UnknownQueueError(queue);
          return deleted;
        case 'running':
          throw new QueueBusyError(queue, step.running);
        case 'done':
          return deleted + step.deleted;
        case 'more':
          deleted += step.deleted;
          cursor = step.cursor;
      }
    }
  }

  private async setPaused(queue: string, paused: boolean): Promise<boolean> {
    checkName(queue, 'queue');
    const changed = await this.broker.admin.setPaused(queue, paused);
    if (changed === undefined) throw new UnknownQueueError(queue);
    return changed;
  }
}
