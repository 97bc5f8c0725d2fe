// `npm run bench:scripts`: Redis CPU of each step of a task's life through the real scripts
// (µs per task, from INFO commandstats), so that a change to a script can be measured on its
// own. TASKMILL_REDIS_FUNCTIONS=0 measures the EVALSHA path instead of the function library.
import { Redis } from 'ioredis';
import { Broker } from '../lib/broker/broker';
import { KeyBuilder } from '../lib/broker/keys';
import { NewTask } from '../lib/broker/new-task';
import { randomTaskId } from '../lib/broker/task-ids';
import { TaskRouter } from '../lib/broker/task-router';
import { startPrivateRedis } from '../lib/testing';
import { newTask } from '../test/support/broker';
import { RedisProbe } from './probe';

const QUEUE = 'bench';

function task(broker: Broker, i: number): NewTask {
  return { ...newTask(broker, randomTaskId(), QUEUE, 'bench.noop'), args: `[${i}]` };
}

async function measure(probe: RedisProbe, label: string, count: number, work: () => Promise<void>) {
  await probe.resetStats();
  await work();
  let usec = 0;
  for (const [name, stat] of await probe.commandStats()) {
    if (name === 'evalsha' || name === 'fcall') usec += stat.usec;
  }
  console.log(`${label.padEnd(40)} ${(usec / count).toFixed(2)} µs/task`);
}

async function main(): Promise<void> {
  const server = await startPrivateRedis({ args: ['--save', '', '--appendonly', 'no'] });
  const redis = new Redis(server.url);
  const probe = new RedisProbe(server.url);
  const broker = new Broker(redis, new TaskRouter(new KeyBuilder('bench'), {}), {
    eventsMaxLen: 10_000,
    deadLetterTtl: 7 * 86_400_000,
    commandTimeoutMs: 5000,
    redisFunctions: process.env.TASKMILL_REDIS_FUNCTIONS !== '0',
  });
  const claim = { queues: [QUEUE], leaseMs: 30_000 };
  for (const batch of [1, 50]) {
    await probe.flush();
    const count = 5000;
    await measure(probe, `enqueue, ${batch} per call`, count, async () => {
      for (let i = 0; i < count; i += batch) {
        await broker.enqueue(
          Array.from({ length: batch }, (_, j) => task(broker, i + j)),
          false,
        );
      }
    });
    const claimed: { id: string; attempt: number }[] = [];
    const slot = broker.keys.prefixSlot;
    await measure(probe, `claim, ${batch} per call`, count, async () => {
      for (let i = 0; i < count; i += batch) {
        const { tasks } = await broker.settle(broker.keys.prefixSlot, [], {
          ...claim,
          count: batch,
        });
        claimed.push(...tasks);
      }
    });
    await measure(probe, `complete, ${batch} per call`, count, async () => {
      for (let i = 0; i < count; i += batch) {
        const outcomes = claimed.slice(i, i + batch).map((t) => ({
          kind: 'complete' as const,
          id: t.id,
          attempt: t.attempt,
          result: '',
          slot,
        }));
        await broker.settle(broker.keys.prefixSlot, outcomes, { ...claim, count: 0 });
      }
    });
    await measure(probe, `empty settle (claim 1 from nothing)`, 1000, async () => {
      for (let i = 0; i < 1000; i++)
        await broker.settle(broker.keys.prefixSlot, [], { ...claim, count: 1 });
    });
  }
  redis.disconnect();
  probe.close();
  await server.stop();
}

void main();
