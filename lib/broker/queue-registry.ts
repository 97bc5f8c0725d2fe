import { UnknownQueueError } from '../errors';
import type { SlotKeys } from './keys';
import type { TaskRouter } from './task-router';

/** Runs one script on a slot, with the ARGV that follow the key base. */
export type SlotScriptCaller = (
  command: string,
  slot: SlotKeys,
  ...args: (string | number)[]
) => Promise<unknown>;

/**
 * The prefix's queue registry (the `queues` set, in the prefix's slot), as the queue control,
 * inspection and priority operations read it. In the `'queue'` layout a script on a queue's
 * shard cannot read it (another slot), so these operations ask it first, in a call of its own;
 * in the `'prefix'` layout their scripts check it themselves, atomically with what they do.
 */
export class QueueRegistry {
  constructor(
    private readonly call: SlotScriptCaller,
    private readonly router: TaskRouter,
    /** Told when a queue was removed from the registry (QueueRegistration.forget). */
    private readonly forgotten: (queue: string) => void = () => undefined,
  ) {}

  /** Whether each of `queues` is registered (one read of the prefix's slot). */
  async known(queues: string[]): Promise<boolean[]> {
    if (queues.length === 0) return [];
    const reply = (await this.call('taskmillKnownQueues', this.prefixSlot, ...queues)) as number[];
    return reply.map((member) => member === 1);
  }

  /** Every registered queue of the prefix. */
  async all(): Promise<string[]> {
    return (await this.call('taskmillKnownQueues', this.prefixSlot)) as string[];
  }

  /**
   * Throws UnknownQueueError for an unregistered queue in the `'queue'` layout, before any
   * script runs on its shards; in the `'prefix'` layout it leaves the check to those scripts.
   */
  async check(queue: string): Promise<void> {
    if (!this.router.spread) return;
    const [known] = await this.known([queue]);
    if (!known) throw new UnknownQueueError(queue);
  }

  /**
   * Removes an obliterated queue from the registry (`'queue'` layout, once all its shards are
   * gone; in the `'prefix'` layout the obliterate script does it in its last call).
   */
  async forget(queue: string): Promise<void> {
    if (!this.router.spread) return;
    await this.call('taskmillForgetQueue', this.prefixSlot, queue);
    this.forgotten(queue);
  }

  private get prefixSlot(): SlotKeys {
    return this.router.keys.prefixSlot;
  }
}
