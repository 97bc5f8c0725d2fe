import type { Cluster, RedisOptions } from 'ioredis';
import { AnyRedis, isCluster } from './any-redis';

type NodeAddress = { host?: string; port?: number };

/**
 * For each cluster client taskmill made, the nodes it was given, or the client it copies
 * (ioredis keeps a client's startup nodes private).
 */
const origins = new WeakMap<Cluster, NodeAddress[] | Cluster>();

/** Remembers the nodes a cluster client was made with, or the client it copies, for describeRedis. */
export function rememberClusterOrigin(cluster: Cluster, origin: NodeAddress[] | Cluster): void {
  origins.set(cluster, origin);
}

/**
 * The nodes a cluster client taskmill made was given (following copies back to the original);
 * none for a Cluster instance passed in.
 */
export function clusterStartupNodes(cluster: Cluster): NodeAddress[] {
  let origin: NodeAddress[] | Cluster | undefined = cluster;
  while (origin && !Array.isArray(origin)) origin = origins.get(origin);
  return origin ?? [];
}

/**
 * Where a connection points and what taskmill uses it for, for error messages and logs:
 * `10.0.0.5:6390 (command connection)`, `10.0.0.5:6390 (connection "taskmill:consumer")`,
 * `cluster 10.0.0.5:7000, 10.0.0.6:7000 (command connection)`. Built from the parsed options,
 * never from the URL, so a password or username never appears.
 */
export function describeRedis(redis: AnyRedis): string {
  const options: RedisOptions =
    (isCluster(redis) ? redis.options.redisOptions : redis.options) ?? {};
  const role = options.connectionName
    ? `connection "${options.connectionName}"`
    : 'command connection';
  return `${isCluster(redis) ? clusterAddress(redis) : address(options)} (${role})`;
}

/**
 * The nodes it was made with; for a Cluster instance passed in, the primaries it knows (none
 * before it first connected).
 */
function clusterAddress(cluster: Cluster): string {
  let origin: NodeAddress[] | Cluster = cluster;
  while (!Array.isArray(origin)) {
    const next = origins.get(origin);
    if (!next) break;
    origin = next;
  }
  const nodes = Array.isArray(origin) ? origin : origin.nodes('master').map((node) => node.options);
  if (nodes.length === 0) return 'Redis Cluster (the Cluster instance passed in)';
  return `cluster ${nodes.map((node) => hostPort(node.host, node.port)).join(', ')}`;
}

function address(options: RedisOptions): string {
  if (options.sentinels?.length) {
    const sentinels = options.sentinels.map((s) => hostPort(s.host, s.port)).join(', ');
    return `master "${options.name ?? 'mymaster'}" via sentinels ${sentinels}`;
  }
  if (options.path) return options.path;
  return hostPort(options.host, options.port);
}

function hostPort(host = 'localhost', port = 6379): string {
  // An IPv6 address needs brackets, or its port reads as one more group.
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
