import { TaskmillError } from './taskmill.error';

const HINTS = {
  lock:
    "A task lock is taken by the claim in its own queue's slot, so it could not exclude tasks " +
    'of other queues: take the lock inside the handler with LockService.withLock(name, …), ' +
    "or use keyLayout: 'prefix'.",
  concurrency:
    "A concurrency limit is counted in its queue's slot, one per shard: give the queue one " +
    "shard (queues: { <queue>: { shards: 1 } }), or use keyLayout: 'prefix'.",
} as const;

/**
 * A task gate (`@Task({ lock })`, or `concurrency` on a sharded queue) that the `'queue'` key
 * layout cannot enforce: each queue shard has a hash slot of its own, and a gate is kept in
 * one slot. Thrown at enqueue, before anything is written.
 */
export class GateAcrossSlotsError extends TaskmillError {
  constructor(
    readonly gate: 'lock' | 'concurrency',
    /** The task name. */
    readonly task: string,
    readonly queue: string,
  ) {
    super(
      `Task "${task}" (queue "${queue}") has a ${gate === 'lock' ? 'lock' : 'concurrency limit'}` +
        `${gate === 'concurrency' ? ' and its queue has several shards' : ''}, which the ` +
        `'queue' key layout cannot enforce: each queue shard has a hash slot of its own. ` +
        HINTS[gate],
    );
  }
}
