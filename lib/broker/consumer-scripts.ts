import type { SlotKeys } from './keys';
import type { ScriptCaller } from './queue-admin-scripts';
import { SCRIPT_CODES as CODE } from './script-codes';

/** Stands for "any task name" among the names a worker hosts (a worker without a subset). */
export const ANY_NAME = '*';

/**
 * What the live workers of a queue do for one task name: none consumes the queue, one has
 * its handler (or hosts any name, or said nothing about names), or none of them has it.
 */
export type Hosting = 'unconsumed' | 'hosted' | 'not-hosted';

/**
 * Typed callers of the worker presence scripts (mark-consumers, queue-hosts). Their keys
 * (KEY_FAMILIES.consumed and hosts) live in the prefix's slot, in either key layout: one call
 * marks every queue of a worker, one answers a producer about a queue and a name.
 */
export class ConsumerScripts {
  constructor(
    private readonly call: ScriptCaller,
    private readonly slot: SlotKeys,
  ) {}

  /** Marks `queues` as consumed for `ttlMs`, each hosting `names` (undefined: any name). */
  async mark(
    queues: readonly string[],
    names: readonly string[] | undefined,
    ttlMs: number,
  ): Promise<void> {
    if (queues.length === 0) return;
    await this.call(
      'taskmillMarkConsumers',
      this.slot,
      true,
      ttlMs,
      queues.length,
      ...queues,
      ...(names ?? [ANY_NAME]),
    );
  }

  /** Whether live workers consume `queue`, and whether one of them hosts task name `name`. */
  async hosting(queue: string, name: string): Promise<Hosting> {
    const code = (await this.call('taskmillQueueHosts', this.slot, true, queue, name)) as number;
    if (code === CODE.NO_CONSUMER) return 'unconsumed';
    return code === CODE.NOT_HOSTED ? 'not-hosted' : 'hosted';
  }
}
