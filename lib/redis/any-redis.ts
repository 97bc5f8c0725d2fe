import type { Cluster, Redis } from 'ioredis';

/**
 * What taskmill sends its commands through: one server (standalone, or a primary found by
 * Sentinel) or a Redis Cluster, whose client routes each command to the node of its keys'
 * slot and follows MOVED and ASK by itself. Both speak the same commands; they differ in what
 * sits under them (one socket, or one per node) and in how they are copied.
 */
export type AnyRedis = Redis | Cluster;

/** By the flag every ioredis client has (`instanceof` fails across copies of ioredis). */
export function isCluster(redis: AnyRedis): redis is Cluster {
  return (redis as { isCluster?: unknown }).isCluster === true;
}

/**
 * A connection to every primary: the one server, or each primary of a cluster, for what must
 * hold on every node (the server check, loading the function library). A cluster client is
 * connected first: before that it does not know its nodes.
 */
export async function primaryConnections(redis: AnyRedis): Promise<Redis[]> {
  if (!isCluster(redis)) return [redis];
  if (redis.status !== 'ready') await redis.ping();
  return redis.nodes('master');
}

/**
 * Destroys the sockets under a client without a goodbye (a polite close waits for a peer that
 * no longer answers): its one socket, or, on a cluster, the socket of each node. ioredis then
 * connects again (a cluster client finds its nodes again).
 */
export function destroySockets(redis: AnyRedis): void {
  const connections = isCluster(redis) ? redis.nodes() : [redis];
  for (const connection of connections) connection.stream?.destroy();
}
