// `npm run bench:scripts`: Redis CPU of each step of a task's life through the real scripts
// (µs per task, from INFO commandstats), so that a change to a script can be measured on its
// own. TASKMILL_REDIS_FUNCTIONS=0 measures the EVALSHA path instead of the function library.
import { Redis } from 'ioredis';
import { Broker } from '../lib/broker/broker';
import { KeyBuilder } from '../lib/broker/keys';
import { NewTask } from '../lib/broker/new-task';
import { newTaskId } from '../lib/queue/task-message.builder';
import { startPrivateRedis } from '../lib/testing';

const QUEUE = 'bench';

function task(i: number): NewTask {
  return {
    id: newTaskId(),
    queue: QUEUE,
    name: 'bench.noop',
    args: `[${i}]`,
    priority: 0,
    delay: 0,
    runAt: 0,
    retries: 3,
    backoff: { type: 'exponential', delay: 1000, floor: 0, ceiling: 3_600_000, jitter: 0 } as never,
    timeout: undefined,
    resultTtl: 86_400_000,
    metadata: '',
    lock: '',
    concurrency: undefined,
    onDuplicate: 'error',
    uniqueFor: undefined,
  };
}

async function usec(redis: Redis): Promise<number> {
  const text = await redis.info('commandstats');
  let total = 0;
  for (const match of text.matchAll(/cmdstat_(?:evalsha|fcall):calls=\d+,usec=(\d+)/g)) {
    total += Number(match[1]);
  }
  return total;
}

async function measure(redis: Redis, label: string, count: number, work: () => Promise<void>) {
  await redis.config('RESETSTAT');
  await work();
  console.log(`${label.padEnd(40)} ${((await usec(redis)) / count).toFixed(2)} µs/task`);
}

async function main(): Promise<void> {
  const server = await startPrivateRedis({ args: ['--save', '', '--appendonly', 'no'] });
  const redis = new Redis(server.url);
  const broker = new Broker(redis, new KeyBuilder('bench'), {
    eventsMaxLen: 10_000,
    deadLetterTtl: 7 * 86_400_000,
    commandTimeoutMs: 5000,
    redisFunctions: process.env.TASKMILL_REDIS_FUNCTIONS !== '0',
  });
  const claim = { queues: [QUEUE], leaseMs: 30_000 };
  for (const batch of [1, 50]) {
    await redis.flushall();
    const count = 5000;
    await measure(redis, `enqueue, ${batch} per call`, count, async () => {
      for (let i = 0; i < count; i += batch) {
        await broker.enqueue(
          Array.from({ length: batch }, (_, j) => task(i + j)),
          false,
        );
      }
    });
    const claimed: { id: string; attempt: number }[] = [];
    await measure(redis, `claim, ${batch} per call`, count, async () => {
      for (let i = 0; i < count; i += batch) {
        const { tasks } = await broker.settle([], { ...claim, count: batch });
        claimed.push(...tasks);
      }
    });
    await measure(redis, `complete, ${batch} per call`, count, async () => {
      for (let i = 0; i < count; i += batch) {
        const outcomes = claimed.slice(i, i + batch).map((t) => ({
          kind: 'complete' as const,
          id: t.id,
          attempt: t.attempt,
          result: '',
        }));
        await broker.settle(outcomes, { ...claim, count: 0 });
      }
    });
    await measure(redis, `empty settle (claim 1 from nothing)`, 1000, async () => {
      for (let i = 0; i < 1000; i++) await broker.settle([], { ...claim, count: 1 });
    });
  }
  redis.disconnect();
  await server.stop();
}

void main();
