import { Broker } from '../broker/broker';
import type { SlotKeys } from '../broker/keys';
import { UnknownQueueError } from '../errors';
import { checkBoolean, checkKnownKeys, checkName, checkObject } from '../validation/checks';
import { obliterateQueue } from './queue-obliteration';
import { shardSlots } from './shard-fan-out';

export interface ObliterateOptions {
  /** Delete the queue even while tasks of it run. Default false. */
  force?: boolean;
}

/** Tasks per script call: a huge queue is handled in many short calls, never one long one. */
const BATCH = 1000;

/**
 * Pauses, resumes, drains and obliterates queues, on every shard of the queue. In the `'queue'`
 * layout the registry (another slot) is asked first whether the queue is known; in the
 * `'prefix'` layout the one script checks it itself.
 */
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
    await this.broker.admin.registry.check(queue);
    const counts = await Promise.all(
      shardSlots(this.broker.router, queue).map((slot) => this.drainShard(slot, queue)),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Deletes every task and key of the queue; returns how many task records it deleted. */
  async obliterate(queue: string, options: ObliterateOptions = {}): Promise<number> {
    checkName(queue, 'queue');
    checkKnownKeys(checkObject(options, 'options'), ['force'], 'options');
    const force = checkBoolean(options.force ?? false, 'options.force');
    return obliterateQueue(this.broker, queue, force, BATCH);
  }

  /** One shard, a batch per call until a batch comes back short. */
  private async drainShard(slot: SlotKeys, queue: string): Promise<number> {
    let cancelled = 0;
    for (let first = true; ; first = false) {
      const batch = await this.broker.admin.drain(slot, queue, BATCH);
      // Unknown after the first batch: another call obliterated the queue meanwhile.
      if (!batch) {
        if (first) throw new UnknownQueueError(queue);
        return cancelled;
      }
      cancelled += batch.cancelled;
      if (batch.taken < BATCH) return cancelled;
    }
  }

  /** Sets the flag in every shard's slot; true when it changed in any of them. */
  private async setPaused(queue: string, paused: boolean): Promise<boolean> {
    checkName(queue, 'queue');
    await this.broker.admin.registry.check(queue);
    const changes = await Promise.all(
      shardSlots(this.broker.router, queue).map((slot) =>
        this.broker.admin.setPaused(slot, queue, paused),
      ),
    );
    if (changes.includes(undefined)) throw new UnknownQueueError(queue);
    return changes.includes(true);
  }
}
