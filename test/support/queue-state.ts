import { Redis } from 'ioredis';
import { KeyBuilder, TASK_FIELDS } from '../../lib/broker/keys';
import { keysOf } from './redis';

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

/** Reads a queue's state, to assert on it or to compare it before and after a call. */
export async function queueState(redis: Redis, prefix: string, queue: string): Promise<QueueState> {
  const keys = new KeyBuilder(prefix);
  const readyPrefix = keys.slot(queue).ready(queue, 0).replace(/0$/, '');
  const readyKeys = (await keysOf(redis, prefix)).filter((key) => key.startsWith(readyPrefix));
  const ready: Record<string, string[]> = {};
  for (const key of readyKeys)
    ready[key.slice(readyPrefix.length)] = await redis.lrange(key, 0, -1);
  const delayed = await redis.zrange(keys.slot(queue).queue(queue, 'delayed'), 0, -1);
  const stored: Record<string, string | null> = {};
  for (const id of [...Object.values(ready).flat(), ...delayed]) {
    stored[id] = await redis.hget(keys.prefixSlot.task(id), TASK_FIELDS.priority);
  }
  return {
    priorities: await redis.zrange(keys.slot(queue).queue(queue, 'priorities'), 0, -1),
    ready,
    delayed,
    stored,
  };
}
