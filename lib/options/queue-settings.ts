import type { RateLimit } from './rate-limit';

/** Settings of one queue (module option `queues`). */
export interface QueueSettings {
  /**
   * How many hash slots the queue is spread over, in the `'queue'` key layout: enqueue spreads
   * its tasks over them and workers claim from all of them, so that one busy queue uses several
   * Cluster nodes. Priorities and FIFO hold within a shard. Default `1`.
   */
  shards?: number;
  /**
   * At most `max` of the queue's runs start in any interval of `perMs`, across every worker
   * (docs/flow-control.md). With several shards, each shard gets `max / shards` (rounded down).
   */
  rateLimit?: RateLimit;
  /**
   * At most this many of the queue's tasks run at once, across every worker. With several
   * shards, each shard gets `concurrency / shards` (rounded down).
   */
  concurrency?: number;
  /**
   * Limits that hold for each group key of the queue (enqueue `{ group }`, `@Task({ group })`):
   * runs at once and starts per window, across every worker. Needs an unsharded queue.
   */
  groups?: GroupLimits;
}

/** `queues.<q>.groups`: limits for each group key. */
export interface GroupLimits {
  concurrency?: number;
  rateLimit?: RateLimit;
}

export interface ResolvedQueueSettings {
  shards: number;
  rateLimit?: RateLimit;
  concurrency?: number;
  groups?: GroupLimits;
}

export const DEFAULT_QUEUE_SETTINGS: ResolvedQueueSettings = { shards: 1 };

/** Most shards one queue may have: each is a slot to claim from and to sweep. */
export const MAX_SHARDS = 256;

/** Most tasks of one queue running at once that a concurrency limit may allow. */
export const MAX_QUEUE_CONCURRENCY = 1_000_000;
