import { Redis } from 'ioredis';
import { TASK_FIELDS } from '../../lib/broker/keys';
import { TaskRouter } from '../../lib/broker/task-router';
import { TestApp } from './test-app';

/** Everything that says where a queue's waiting tasks are, read straight from Redis. */
export interface QueueState {
  /** The registered priorities, ascending. */
  priorities: string[];
  /** Every ready list, registered or not, by priority: its ids head first. */
  ready: Record<string, string[]>;
  delayed: string[];
  /** The stored priority of each task in a ready list or the delayed set. */
  stored: Record<string, string | null>;
}

/**
 * Reads the state of a queue with one shard (in either key layout), to assert on it or to
 * compare it before and after a call.
 */
export async function queueState(redis: Redis, t: TestApp, queue: string): Promise<QueueState> {
  const [slot] = t.app.get(TaskRouter).slotsOf(queue);
  const readyPrefix = slot.ready(queue, 0).replace(/0$/, '');
  const readyKeys = (await allKeysOf(redis, t.prefix)).filter((key) => key.startsWith(readyPrefix));
  const ready: Record<string, string[]> = {};
  for (const key of readyKeys)
    ready[key.slice(readyPrefix.length)] = await redis.lrange(key, 0, -1);
  const delayed = await redis.zrange(slot.queue(queue, 'delayed'), 0, -1);
  const stored: Record<string, string | null> = {};
  for (const id of [...Object.values(ready).flat(), ...delayed]) {
    stored[id] = await redis.hget(slot.task(id), TASK_FIELDS.priority);
  }
  return {
    priorities: await redis.zrange(slot.queue(queue, 'priorities'), 0, -1),
    ready,
    delayed,
    stored,
  };
}

/**
 * Every key of a prefix in either key layout: the prefix's slot `{prefix}` and, in the 'queue'
 * layout, each queue shard's `{prefix:tag}` (tests only: uses KEYS).
 */
export function allKeysOf(redis: Redis, prefix: string): Promise<string[]> {
  return redis.keys(`{${prefix}[:}]*`);
}

/** Ids of the task records of a queue, in every slot of the prefix (tests only). */
export async function allTaskIdsOf(redis: Redis, prefix: string, queue: string): Promise<string[]> {
  const keys = (await allKeysOf(redis, prefix)).filter((key) => /^\{[^}]*\}:t:/.test(key));
  const queues = await Promise.all(keys.map((key) => redis.hget(key, TASK_FIELDS.queue)));
  return keys
    .filter((_, i) => queues[i] === queue)
    .map((key) => key.slice(key.indexOf('}:t:') + 4))
    .sort();
}

/**
 * Every key of a prefix (either layout) with its value, sorted (tests only): any write shows
 * up. Sets and hashes by their sorted content, since a read may move on a rehash of a large one,
 * which changes the order DUMP writes it in without any write; other keys as DUMP gives them.
 */
export async function allDataOf(redis: Redis, prefix: string): Promise<[string, unknown][]> {
  const keys = (await allKeysOf(redis, prefix)).sort();
  const values = await Promise.all(keys.map((key) => valueOf(redis, key)));
  return keys.map((key, i) => [key, values[i]]);
}

async function valueOf(redis: Redis, key: string): Promise<unknown> {
  const type = await redis.type(key);
  if (type === 'set') return (await redis.smembers(key)).sort();
  if (type === 'hash') return Object.entries(await redis.hgetall(key)).sort();
  return redis.dumpBuffer(key);
}

/** The key of a task's record, wherever the app's layout puts it. */
export function taskKeyOf(t: TestApp, queue: string, id: string): string {
  return t.app.get(TaskRouter).slotFor(queue, id).task(id);
}
