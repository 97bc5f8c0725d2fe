import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';

/**
 * The connection to the primary that serves `key`'s slot, as the cluster client last heard
 * (its slot map, refreshed on MOVED); undefined while it knows none. For the calls that must
 * run on one node's own connection, which a cluster client's redirections do not keep.
 */
export function slotPrimary(cluster: Cluster, key: string): Redis | undefined {
  const owner = cluster.slots[calculateSlot(key)]?.[0];
  if (owner === undefined) return undefined;
  return cluster
    .nodes('master')
    .find((node) => `${node.options.host}:${node.options.port}` === owner);
}
