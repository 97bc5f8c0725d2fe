/** Settings of one queue (module option `queues`). */
export interface QueueSettings {
  /**
   * How many hash slots the queue is spread over, in the `'queue'` key layout: enqueue spreads
   * its tasks over them and workers claim from all of them, so that one busy queue uses several
   * Cluster nodes. Priorities and FIFO hold within a shard. Default `1`.
   */
  shards?: number;
}

export type ResolvedQueueSettings = Required<QueueSettings>;

export const DEFAULT_QUEUE_SETTINGS: ResolvedQueueSettings = { shards: 1 };

/** Most shards one queue may have: each is a slot to claim from and to sweep. */
export const MAX_SHARDS = 256;
