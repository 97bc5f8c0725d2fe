import { Cluster, Redis } from 'ioredis';
import { RedisPermissionError } from '../errors';
import { toTypedRedisError } from './connection-errors';
import { clusterStartupNodes } from './redis-endpoint';

/**
 * The commands an ioredis cluster client sends before it is ready: CLUSTER SLOTS (to learn the
 * nodes) and CLUSTER INFO (its ready check).
 */
const CLUSTER_STARTUP_COMMANDS = [['CLUSTER', 'SLOTS'] as const, ['CLUSTER', 'INFO'] as const];

const PROBE_TIMEOUT_MS = 1000;

/**
 * Why a cluster client taskmill made never became ready, when the ACL user is the reason: a
 * refused CLUSTER SLOTS shows only inside ioredis' "Failed to refresh slots cache" error, and a
 * refused CLUSTER INFO not at all (ioredis retries its ready check forever and says nothing), so
 * a start that timed out asks a startup node both, as the same user. Undefined when the node
 * allows them, cannot be reached, or the client was passed in (its nodes are unknown).
 */
export async function clusterPermissionRefusal(
  cluster: Cluster,
): Promise<RedisPermissionError | undefined> {
  for (const { host, port } of clusterStartupNodes(cluster)) {
    const node = new Redis({
      ...cluster.options.redisOptions,
      host,
      port,
      connectionName: 'taskmill:permission-check',
      // The start has failed already: a node that does not answer soon is skipped.
      connectTimeout: PROBE_TIMEOUT_MS,
      commandTimeout: PROBE_TIMEOUT_MS,
      lazyConnect: true,
      retryStrategy: null,
      maxRetriesPerRequest: 0,
    });
    node.on('error', () => undefined);
    try {
      for (const [command, subcommand] of CLUSTER_STARTUP_COMMANDS) {
        await node.call(command, subcommand);
      }
      return undefined;
    } catch (error) {
      const typed = toTypedRedisError(error, '');
      if (typed instanceof RedisPermissionError) return typed;
      // This node did not answer: ask the next one.
    } finally {
      node.disconnect();
    }
  }
  return undefined;
}
