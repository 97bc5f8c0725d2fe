import { Redis } from 'ioredis';
import { Broker } from '../../lib/broker/broker';
import { KeyBuilder } from '../../lib/broker/keys';
import { NewTask } from '../../lib/broker/new-task';
import { TaskRouter } from '../../lib/broker/task-router';
import { DEFAULT_TASK_OPTIONS } from '../../lib/options/defaults';
import { keyLayoutInTests, redisFunctionsInTests, testRedisUrl, uniquePrefix } from './redis';

/** A Broker on the private test Redis, under a fresh prefix, for worker-level tests. */
export function testBroker(redisFunctions = redisFunctionsInTests()): {
  broker: Broker;
  redis: Redis;
  keys: KeyBuilder;
} {
  const redis = new Redis(testRedisUrl());
  const keys = new KeyBuilder(uniquePrefix(), keyLayoutInTests());
  const broker = new Broker(redis, new TaskRouter(keys, {}), {
    eventsMaxLen: 10_000,
    deadLetterTtl: 86_400_000,
    commandTimeoutMs: 5_000,
    redisFunctions,
  });
  return { broker, redis, keys };
}

/** A plain new task with the default options. */
export function newTask(broker: Broker, id: string, queue: string, name = 'x'): NewTask {
  return {
    id,
    queue,
    slot: broker.router.slotFor(queue, id),
    name,
    args: '[]',
    priority: 0,
    delay: 0,
    runAt: 0,
    retries: DEFAULT_TASK_OPTIONS.retries,
    backoff: DEFAULT_TASK_OPTIONS.backoff,
    timeout: undefined,
    resultTtl: DEFAULT_TASK_OPTIONS.resultTtl,
    metadata: '',
    lock: '',
    concurrency: undefined,
    group: '',
    onDuplicate: 'error',
    uniqueFor: undefined,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
