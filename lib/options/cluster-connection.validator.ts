import { InvalidOptionsError } from '../errors';
import { checkKnownKeys, describe, isPlainObject } from '../validation/checks';
import { ResolvedClusterConnection } from './module.options';

/** True for `connection: { cluster: … }`: the one key no ioredis RedisOptions has. */
export function isClusterConnection(value: Record<string, unknown>): boolean {
  return 'cluster' in value;
}

/**
 * Validates `connection: { cluster: nodes, options? }`: at least one node, each `{ host, port }`
 * or `'host:port'`, and `options` an object (ioredis ClusterOptions). Reachability is checked
 * at startup (connectTimeoutMs), not here.
 */
export function resolveClusterConnection(
  value: Record<string, unknown>,
): ResolvedClusterConnection {
  checkKnownKeys(value, ['cluster', 'options'], 'connection');
  const { cluster, options = {} } = value;
  if (!Array.isArray(cluster) || cluster.length === 0) {
    throw new InvalidOptionsError(
      'connection.cluster',
      `must be a non-empty array of the cluster's nodes ({ host, port } or 'host:port'; ` +
        `one reachable node is enough), got ${Array.isArray(cluster) ? 'an empty array' : describe(cluster)}`,
    );
  }
  if (!isPlainObject(options)) {
    throw new InvalidOptionsError(
      'connection.options',
      `must be an object of ioredis ClusterOptions, got ${describe(options)}`,
    );
  }
  return {
    cluster: cluster.map((node, i) => resolveNode(node, `connection.cluster[${i}]`)),
    options,
  };
}

function resolveNode(node: unknown, field: string): { host: string; port: number } {
  if (typeof node === 'string') {
    const match = /^(.+):(\d+)$/.exec(node);
    if (match) return address(match[1].replace(/^\[(.*)\]$/, '$1'), Number(match[2]), field);
  } else if (isPlainObject(node) && typeof node.host === 'string') {
    return address(node.host, node.port, field);
  }
  throw new InvalidOptionsError(
    field,
    `must be a node address, { host: '10.0.0.1', port: 6379 } or '10.0.0.1:6379', ` +
      `got ${describe(node)}`,
  );
}

function address(host: string, port: unknown, field: string): { host: string; port: number } {
  if (host.trim() === '') {
    throw new InvalidOptionsError(`${field}.host`, 'must be a host name or IP address, got ""');
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidOptionsError(
      `${field}.port`,
      `must be a port number from 1 to 65535, got ${describe(port)}`,
    );
  }
  return { host, port };
}
