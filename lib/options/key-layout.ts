/**
 * Where a prefix's keys live (module option `keyLayout`): `'queue'` gives each shard of each
 * queue a hash slot of its own, `{<prefix>:<tag>}`, so that a Cluster spreads the queues over its
 * nodes; `'prefix'` keeps every key in the one slot `{<prefix>}`. `'auto'` (the default) is
 * `'queue'` on a Redis Cluster and `'prefix'` on one server, where every slot is on the same
 * core anyway and the one slot keeps task locks and single-script workflows available.
 */
export type KeyLayout = 'auto' | 'prefix' | 'queue';

/** The layout in use: `'auto'` resolved once, at startup, from the connection option. */
export type ResolvedKeyLayout = Exclude<KeyLayout, 'auto'>;
