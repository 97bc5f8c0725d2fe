/**
 * Where a prefix's keys live (module option `keyLayout`): `'queue'` gives each shard of each
 * queue a hash slot of its own, `{<prefix>:<tag>}`, so that a Cluster spreads the queues over its
 * nodes; `'prefix'` keeps every key in the one slot `{<prefix>}`.
 */
export type KeyLayout = 'prefix' | 'queue';
