import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { UnsupportedRedisError } from '../errors/unsupported-redis.error';
import { AnyRedis, isCluster, primaryConnections } from './any-redis';

export const MINIMUM_REDIS_VERSION = '6.2.0';

const logger = new Logger('taskmill:Redis');

/** True when dotted version `a` is at least `b` (e.g. '7.0.15' ≥ '6.2.0'). */
export function versionAtLeast(a: string, b: string): boolean {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

/** The server version from INFO server (Valkey reports a compatible redis_version too). */
export function serverVersion(info: string): string | undefined {
  return /^redis_version:([\d.]+)/m.exec(info)?.[1];
}

/** INFO server, or '' when an ACL forbids it (the check is skipped, not the work). */
async function readInfo(redis: Redis): Promise<string> {
  try {
    return await redis.info('server');
  } catch (error) {
    if (/NOPERM|unknown command/i.test((error as Error).message)) {
      logger.warn(
        'could not read the server version (INFO is not allowed): taskmill needs Redis 6.2+',
      );
      return '';
    }
    throw error;
  }
}

/**
 * Checks the server once before taskmill's first command: refuses Redis older than 6.2
 * (UnsupportedRedisError), and warns loudly when an eviction policy could silently drop queued
 * tasks. A server that forbids CONFIG gets a softer warning: the policy cannot be checked.
 * On a cluster every primary is checked (each holds queues of its own). Returns the server's
 * version, the oldest of the primaries' (undefined when INFO is not allowed).
 */
export async function checkServer(redis: AnyRedis): Promise<string | undefined> {
  const primaries = await primaryConnections(redis);
  const where = (node: Redis) => (isCluster(redis) ? ` on ${nodeAddress(node)}` : '');
  const versions = await Promise.all(primaries.map((node) => checkNode(node, where(node))));
  return versions.reduce<string | undefined>(
    (oldest, version) =>
      oldest === undefined || (version !== undefined && !versionAtLeast(version, oldest))
        ? version
        : oldest,
    undefined,
  );
}

/** One server; `where` names the node in warnings on a cluster (empty otherwise). */
async function checkNode(redis: Redis, where: string): Promise<string | undefined> {
  const version = serverVersion(await readInfo(redis));
  if (version && !versionAtLeast(version, MINIMUM_REDIS_VERSION)) {
    throw new UnsupportedRedisError(version, MINIMUM_REDIS_VERSION);
  }
  let policy: string | undefined;
  try {
    policy = ((await redis.config('GET', 'maxmemory-policy')) as string[])[1];
  } catch {
    logger.warn(
      `could not read maxmemory-policy${where} (CONFIG is not allowed): make sure it is ` +
        '"noeviction", or Redis may evict queued tasks when memory runs out',
    );
    return version;
  }
  if (policy !== undefined && policy !== 'noeviction') {
    logger.warn(
      `maxmemory-policy is "${policy}"${where}: when memory runs out Redis may evict queued ` +
        `tasks and lose them. Set it to "noeviction" (CONFIG SET maxmemory-policy ` +
        `noeviction, or in redis.conf).`,
    );
  }
  return version;
}

function nodeAddress(node: Redis): string {
  return `${node.options.host ?? 'localhost'}:${node.options.port ?? 6379}`;
}
