import { randomUUID } from 'crypto';
import { Redis } from 'ioredis';
import { ResolvedKeyLayout } from '../../lib/options/key-layout';

/** The private test server started by global-setup (never the user's Redis). */
export function testRedisUrl(): string {
  const url = process.env.TASKMILL_TEST_REDIS_URL;
  if (!url) throw new Error('TASKMILL_TEST_REDIS_URL is not set: run the tests with `npm test`');
  return url;
}

/**
 * Whether test apps run the scripts as a function library (the default on Redis 7+).
 * `TASKMILL_TEST_REDIS_FUNCTIONS=0 npm test` runs the suite on the EVALSHA path of Redis 6.2.
 */
export function redisFunctionsInTests(): boolean {
  return process.env.TASKMILL_TEST_REDIS_FUNCTIONS !== '0';
}

/**
 * The key layout the tests run with: 'prefix' (the default), or 'queue' in the Jest project
 * that runs the end-to-end tests again with a hash slot per queue (TASKMILL_TEST_KEY_LAYOUT).
 */
export function keyLayoutInTests(): ResolvedKeyLayout {
  return process.env.TASKMILL_TEST_KEY_LAYOUT === 'queue' ? 'queue' : 'prefix';
}

/** A prefix no other test uses, so tests can share the server. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

/** A plain client for asserting on Redis directly; close it with `.disconnect()`. */
export function rawRedis(): Redis {
  return new Redis(testRedisUrl());
}

/**
 * Every key of a prefix, in its own slot `{prefix}` and (in the 'queue' layout) in its queues'
 * slots `{prefix:tag}` (tests only: production code never uses KEYS).
 */
export async function keysOf(redis: Redis, prefix: string): Promise<string[]> {
  const [own, queues] = await Promise.all([
    redis.keys(`{${prefix}}:*`),
    redis.keys(`{${prefix}:*}:*`),
  ]);
  return [...own, ...queues];
}

/**
 * The keys of a prefix that hold data, without what a running worker writes on its own
 * schedule: the turn-taking locks (lease sweep, integrity scan), and the set of its handler
 * names that its first claim on a slot stores (`handlers:<digest>`, docs/flow-control.md),
 * and the events reader's presence mark: what a refused call must leave unchanged.
 */
export async function dataKeysOf(redis: Redis, prefix: string): Promise<string[]> {
  const keys = await keysOf(redis, prefix);
  return keys
    .filter(
      (key) => !/:(sweep-lock:|integrity-lock$|integrity-cursor$|presence:|handlers:)/.test(key),
    )
    .sort();
}

/** Ids of the task records of a queue under a prefix (tests only: uses KEYS). */
export async function taskIdsOf(redis: Redis, prefix: string, queue: string): Promise<string[]> {
  const keys = (await keysOf(redis, prefix)).filter((key) => /^\{[^}]+\}:t:/.test(key));
  const queues = await Promise.all(keys.map((key) => redis.hget(key, 'q')));
  return keys
    .filter((_, i) => queues[i] === queue)
    .map((key) => key.slice(key.lastIndexOf(':') + 1));
}

/** Every key of a prefix with its serialised value, sorted: any write shows up (tests only). */
export async function snapshotOf(redis: Redis, prefix: string): Promise<[string, Buffer | null][]> {
  const keys = (await keysOf(redis, prefix)).sort();
  const values = await Promise.all(keys.map((key) => redis.dumpBuffer(key)));
  return keys.map((key, i) => [key, values[i]]);
}

/**
 * The data of a prefix (dataKeysOf: without the locks workers take on their own schedule), key by
 * key: sets and hashes as their sorted members or fields, since a hashtable's DUMP follows its
 * iteration order, which a rehash changes without any write; other types as DUMP. Equal before
 * and after a command means that the command wrote nothing (tests only).
 */
export async function dataOf(redis: Redis, prefix: string): Promise<[string, unknown][]> {
  const keys = await dataKeysOf(redis, prefix);
  return Promise.all(
    keys.map(async (key): Promise<[string, unknown]> => {
      const type = await redis.type(key);
      if (type === 'set') return [key, (await redis.smembers(key)).sort()];
      if (type === 'hash') return [key, Object.entries(await redis.hgetall(key)).sort()];
      return [key, await redis.dumpBuffer(key)];
    }),
  );
}
