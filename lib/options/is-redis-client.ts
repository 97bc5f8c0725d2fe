import type { Cluster, Redis } from 'ioredis';

/**
 * Recognises an ioredis client by shape, not `instanceof`: the user's ioredis may be another
 * copy or version than ours.
 */
export function isRedisClient(value: unknown): value is Redis | Cluster {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return ['duplicate', 'defineCommand', 'sendCommand', 'quit'].every(
    (method) => typeof candidate[method] === 'function',
  );
}
